// Package bench measures the event store against PostgreSQL's own baselines,
// in the same run on the same server: pgbench's one-row insert for appends,
// and a COPY of the same rows for reading the whole log. Machines are shared
// and noisy, so the ratio is the figure that travels; the absolute numbers
// are printed beside it.
package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"restaurant/domain"
	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
)

// Options choose what to measure.
type Options struct {
	Writers  []int         // concurrent writers, one run each
	Duration time.Duration // per measurement
	Events   int           // rows in the log for the read-all measurement
	PgBench  string        // path of the pgbench binary
	// PgBenchConn is the pgbench connection arguments (-h, -p, -U, dbname).
	PgBenchConn []string
}

// AppendFigure compares appends with pgbench's insert at one concurrency.
type AppendFigure struct {
	Writers         int     `json:"writers"`
	AppendsPerSec   float64 `json:"appends_per_sec"`
	PgBenchInserts  float64 `json:"pgbench_inserts_per_sec"`
	Ratio           float64 `json:"ratio"`
	AppendP99Millis float64 `json:"append_p99_ms"`
	// AppendWAL and PgBenchWAL are what each cost the write-ahead log, per
	// append and per insert.
	AppendWAL  WALUse `json:"append_wal"`
	PgBenchWAL WALUse `json:"pgbench_wal"`
}

// ReadFigure compares reading the log through the store with COPY.
type ReadFigure struct {
	Events        int     `json:"events"`
	ReadAllPerSec float64 `json:"read_all_events_per_sec"`
	CopyPerSec    float64 `json:"copy_rows_per_sec"`
	Ratio         float64 `json:"ratio"`
}

// Report is everything one run measured.
type Report struct {
	When     time.Time      `json:"when"`
	Durable  bool           `json:"durable"`
	Appends  []AppendFigure `json:"appends"`
	ReadAll  ReadFigure     `json:"read_all"`
	Settings map[string]any `json:"settings"`
}

// Run measures and prints a table to out.
func Run(ctx context.Context, store *eventstore.Store, opts Options, out io.Writer) (Report, error) {
	pool := store.Pool()
	r := Report{When: time.Now().UTC(), Settings: map[string]any{"duration": opts.Duration.String()}}
	var fsync string
	if err := pool.QueryRow(ctx, `SHOW fsync`).Scan(&fsync); err != nil {
		return r, fmt.Errorf("read fsync setting: %w", err)
	}
	var syncCommit string
	if err := pool.QueryRow(ctx, `SHOW synchronous_commit`).Scan(&syncCommit); err != nil {
		return r, fmt.Errorf("read synchronous_commit: %w", err)
	}
	r.Durable = fsync == "on" && syncCommit != "off"
	fmt.Fprintf(out, "durable commits: %v (fsync=%s, synchronous_commit=%s)\n\n", r.Durable, fsync, syncCommit)

	fmt.Fprintf(out, "%-8s %16s %18s %7s %12s\n", "writers", "appends/s", "pgbench inserts/s", "ratio", "append p99")
	var wal []string
	for _, w := range opts.Writers {
		f, err := appendFigure(ctx, store, opts, w)
		if err != nil {
			return r, err
		}
		r.Appends = append(r.Appends, f)
		fmt.Fprintf(out, "%-8d %16.0f %18.0f %7.2f %10.1fms\n", w, f.AppendsPerSec, f.PgBenchInserts, f.Ratio, f.AppendP99Millis)
		wal = append(wal, fmt.Sprintf("%-8d %-8s %12.0f %12.1f %12.0f %12.1f", w, "append", f.AppendWAL.BytesPerOp, f.AppendWAL.RecordsPerOp, f.AppendWAL.FlushesPerSec, f.AppendWAL.OpsPerFlush),
			fmt.Sprintf("%-8d %-8s %12.0f %12.1f %12.0f %12.1f", w, "pgbench", f.PgBenchWAL.BytesPerOp, f.PgBenchWAL.RecordsPerOp, f.PgBenchWAL.FlushesPerSec, f.PgBenchWAL.OpsPerFlush))
	}
	fmt.Fprintf(out, "\n%-8s %-8s %12s %12s %12s %12s\n", "writers", "", "WAL bytes/op", "records/op", "flushes/s", "ops/flush")
	for _, line := range wal {
		fmt.Fprintln(out, line)
	}

	read, err := readAll(ctx, store, opts.Events)
	if err != nil {
		return r, err
	}
	r.ReadAll = read
	fmt.Fprintf(out, "\n%-10s %18s %14s %7s\n", "events", "read-all events/s", "COPY rows/s", "ratio")
	fmt.Fprintf(out, "%-10d %18.0f %14.0f %7.2f\n", read.Events, read.ReadAllPerSec, read.CopyPerSec, read.Ratio)
	return r, nil
}

// appendFigure measures pgbench's insert, then the store's appends, with the
// same concurrency, and what each cost the write-ahead log.
func appendFigure(ctx context.Context, store *eventstore.Store, opts Options, writers int) (AppendFigure, error) {
	pool := store.Pool()
	f := AppendFigure{Writers: writers}
	m0, err := markWAL(ctx, pool)
	if err != nil {
		return f, err
	}
	var inserts int64
	if f.PgBenchInserts, inserts, err = pgbenchInsert(ctx, pool, opts, writers); err != nil {
		return f, err
	}
	m1, err := markWAL(ctx, pool)
	if err != nil {
		return f, err
	}
	var appends int64
	if f.AppendsPerSec, f.AppendP99Millis, appends, err = appendLoad(ctx, store, writers, opts.Duration); err != nil {
		return f, err
	}
	m2, err := markWAL(ctx, pool)
	if err != nil {
		return f, err
	}
	f.Ratio = f.AppendsPerSec / f.PgBenchInserts
	f.PgBenchWAL, f.AppendWAL = m1.since(m0, float64(inserts)), m2.since(m1, float64(appends))
	return f, nil
}

// WriteJSON saves a report.
func WriteJSON(path string, r Report) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

var (
	tpsLine   = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)
	countLine = regexp.MustCompile(`number of transactions actually processed: ([0-9]+)`)
)

// pgbenchInsert runs pgbench's one-row insert transaction at the given
// concurrency and returns its transactions per second and their number.
func pgbenchInsert(ctx context.Context, pool *pgxpool.Pool, opts Options, clients int) (float64, int64, error) {
	if _, err := pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS bench_baseline (
		id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, n int NOT NULL, note text NOT NULL)`); err != nil {
		return 0, 0, fmt.Errorf("baseline table: %w", err)
	}
	dir, err := os.MkdirTemp("", "restaurant-bench-")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(dir)
	script := filepath.Join(dir, "insert.sql")
	if err := os.WriteFile(script, []byte("\\set n random(1, 1000000)\nINSERT INTO bench_baseline (n, note) VALUES (:n, 'one row');\n"), 0o644); err != nil {
		return 0, 0, err
	}
	args := []string{"-n", "-c", strconv.Itoa(clients), "-j", strconv.Itoa(min(clients, 4)),
		"-T", strconv.Itoa(int(opts.Duration.Seconds())), "-f", script}
	cmd := exec.CommandContext(ctx, opts.PgBench, append(args, opts.PgBenchConn...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, 0, fmt.Errorf("pgbench: %w: %s", err, out)
	}
	m, n := tpsLine.FindSubmatch(out), countLine.FindSubmatch(out)
	if m == nil || n == nil {
		return 0, 0, fmt.Errorf("pgbench printed no tps line: %s", out)
	}
	tps, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		return 0, 0, fmt.Errorf("pgbench's tps: %w", err)
	}
	count, err := strconv.ParseInt(string(n[1]), 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("pgbench's count: %w", err)
	}
	return tps, count, nil
}

// appendLoad runs writers that each append one event per command, to streams
// of their own (a new stream every 100 events), for the given time.
func appendLoad(ctx context.Context, store *eventstore.Store, writers int, d time.Duration) (perSec float64, p99Millis float64, count int64, err error) {
	deadline := time.Now().Add(d)
	var total atomic.Int64
	var mu sync.Mutex
	var latencies []time.Duration
	var firstErr error
	var wg sync.WaitGroup
	start := time.Now()
	for w := range writers {
		wg.Go(func() {
			var local []time.Duration
			stream, version := "", 0
			for n := 0; time.Now().Before(deadline); n++ {
				if n%100 == 0 {
					stream, version = ordering.Stream(fmt.Sprintf("bench-%d-%s", w, uuid.NewString())), 0
				}
				t0 := time.Now()
				_, err := store.Append(ctx, stream, eventstore.Exact(version), eventstore.Metadata{CommandID: uuid.New(), Actor: "bench"},
					ordering.ItemAddedToOrder{OrderID: stream, LineID: uuid.NewString(), MenuItemID: "margherita", Name: "Margherita", Quantity: 2, UnitPrice: domain.Cents(950)})
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				local = append(local, time.Since(t0))
				version++
				total.Add(1)
			}
			mu.Lock()
			latencies = append(latencies, local...)
			mu.Unlock()
		})
	}
	wg.Wait()
	if firstErr != nil {
		return 0, 0, 0, fmt.Errorf("append load: %w", firstErr)
	}
	elapsed := time.Since(start)
	return float64(total.Load()) / elapsed.Seconds(), percentile(latencies, 0.99), total.Load(), nil
}

// readAll makes sure the log holds at least n events, then times reading
// all of them through the store (decoded, in global order) and through a
// COPY of the same rows in the same order.
func readAll(ctx context.Context, store *eventstore.Store, n int) (ReadFigure, error) {
	pool := store.Pool()
	var have int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM events`).Scan(&have); err != nil {
		return ReadFigure{}, err
	}
	if have < n {
		if _, err := pool.Exec(ctx, `INSERT INTO events (event_id, stream_id, version, type, schema_version, data, command_id, correlation_id, actor)
			SELECT gen_random_uuid(), $3::text || 'fill-' || (g / 10), g % 10 + 1, 'ordering.ItemAddedToOrder', 1,
			       json_build_object('order_id', $3::text || 'fill-' || (g / 10), 'line_id', g::text, 'menu_item_id', 'margherita',
			                          'name', 'Margherita', 'quantity', 2, 'note', '', 'unit_price', json_build_object('amount', 950, 'currency', 'EUR')),
			       gen_random_uuid(), gen_random_uuid(), 'bench'
			FROM generate_series($1::bigint, $2::bigint - 1) g`, 0, n-have, ordering.StreamPrefix); err != nil {
			return ReadFigure{}, fmt.Errorf("fill the log: %w", err)
		}
	}
	if _, err := pool.Exec(ctx, `VACUUM ANALYZE events`); err != nil {
		return ReadFigure{}, err
	}
	copyTime, rows, err := copyAll(ctx, store)
	if err != nil {
		return ReadFigure{}, err
	}
	var read int64
	readTime, err := timed(func() error {
		return store.Replay(ctx, eventstore.Cursor{}, 5000, func(batch []eventstore.RecordedEvent) error {
			read += int64(len(batch))
			return nil
		})
	})
	if err != nil {
		return ReadFigure{}, err
	}
	if read != rows {
		return ReadFigure{}, fmt.Errorf("read %d events but COPY returned %d rows", read, rows)
	}
	f := ReadFigure{Events: int(read), ReadAllPerSec: float64(read) / readTime.Seconds(), CopyPerSec: float64(rows) / copyTime.Seconds()}
	f.Ratio = f.ReadAllPerSec / f.CopyPerSec
	return f, nil
}

// copyAll times a COPY of the whole log, in the order readers see it.
func copyAll(ctx context.Context, store *eventstore.Store) (time.Duration, int64, error) {
	var rows int64
	took, err := timed(func() error {
		conn, err := store.Pool().Acquire(ctx)
		if err != nil {
			return err
		}
		defer conn.Release()
		tag, err := conn.Conn().PgConn().CopyTo(ctx, io.Discard,
			`COPY (SELECT * FROM events ORDER BY transaction_id, position) TO STDOUT`)
		rows = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("copy: %w", err)
	}
	return took, rows, nil
}

func timed(fn func() error) (time.Duration, error) {
	t0 := time.Now()
	err := fn()
	return time.Since(t0), err
}

func percentile(ds []time.Duration, p float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	sorted := append([]time.Duration(nil), ds...)
	slices.Sort(sorted)
	return float64(sorted[int(float64(len(sorted)-1)*p)]) / float64(time.Millisecond)
}
