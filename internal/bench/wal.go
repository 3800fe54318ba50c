package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// walMark is where the server's write-ahead log stood at one moment: what
// an append costs PostgreSQL is mostly the WAL it writes and the flushes it
// waits for, and those are what a group commit shares.
type walMark struct {
	lsn     int64 // bytes since the start of the log
	records int64
	syncs   int64 // WAL flushes (fsync or its like), by every backend and the WAL writer
	at      time.Time
}

// WALUse is what one measurement cost the server's write-ahead log.
type WALUse struct {
	BytesPerOp    float64 `json:"wal_bytes_per_op"`
	RecordsPerOp  float64 `json:"wal_records_per_op"`
	FlushesPerSec float64 `json:"wal_flushes_per_sec"`
	OpsPerFlush   float64 `json:"ops_per_wal_flush"`
}

// markWAL reads the log's position and the server's WAL counters.
// pg_stat_wal is cumulative and backends report to it at least once a
// second, so its counts over a measurement of many seconds are close; the
// byte count comes from the position itself and is exact.
func markWAL(ctx context.Context, pool *pgxpool.Pool) (walMark, error) {
	m := walMark{at: time.Now()}
	err := pool.QueryRow(ctx, `SELECT pg_current_wal_lsn() - '0/0', wal_records, wal_sync FROM pg_stat_wal`).
		Scan(&m.lsn, &m.records, &m.syncs)
	if err != nil {
		return m, fmt.Errorf("read the write-ahead log's position: %w", err)
	}
	return m, nil
}

// since is what the log took from m to n for ops operations.
func (n walMark) since(m walMark, ops float64) WALUse {
	u := WALUse{FlushesPerSec: float64(n.syncs-m.syncs) / n.at.Sub(m.at).Seconds()}
	if ops > 0 {
		u.BytesPerOp = float64(n.lsn-m.lsn) / ops
		u.RecordsPerOp = float64(n.records-m.records) / ops
	}
	if n.syncs > m.syncs {
		u.OpsPerFlush = ops / float64(n.syncs-m.syncs)
	}
	return u
}
