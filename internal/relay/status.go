package relay

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Status is how a relay stands, read from the database, so that any
// process's pages and metrics show it whichever process runs it.
type Status struct {
	Name string
	// Running says a relay leads now: its heartbeat is recent.
	Running bool
	// Connected says it is connected to the broker; ChangedAt since when
	// it is, or is not.
	Connected bool
	ChangedAt time.Time
	SeenAt    time.Time
	// LastError is why it last failed (the broker away, a refused
	// message), "" once it has caught up since.
	LastError   string
	LastErrorAt time.Time
	// Position is the last event past which it has published; LagEvents
	// the events after it, LagSeconds how long the oldest has waited.
	Position   int64
	LagEvents  int64
	LagSeconds float64
}

// staleAfter is how long a relay's heartbeat may be missing before it is
// taken as not running; it beats every 2 s.
const staleAfter = 15 * time.Second

// ReadStatus reads a relay's status; found is false for a relay that never
// ran on this database (AMQP_URL unset everywhere).
func ReadStatus(ctx context.Context, pool *pgxpool.Pool, name string) (s Status, found bool, err error) {
	if name == "" {
		name = DefaultName
	}
	s.Name = name
	var lastError *string
	var errorAt, oldest *time.Time
	var age float64
	err = pool.QueryRow(ctx, `
		WITH cp AS (
			SELECT coalesce(max(transaction_id), '0') AS tx, coalesce(max(position), 0) AS pos
			FROM checkpoints WHERE name = $1)
		SELECT r.connected, r.changed_at, r.seen_at, extract(epoch FROM now() - r.seen_at)::float8,
		       r.last_error, r.last_error_at, cp.pos,
		       (SELECT count(*) FROM events e WHERE (e.transaction_id, e.position) > (cp.tx, cp.pos)),
		       (SELECT min(recorded_at) FROM events e WHERE (e.transaction_id, e.position) > (cp.tx, cp.pos))
		FROM relay_status r CROSS JOIN cp
		WHERE r.name = $1`, name).Scan(&s.Connected, &s.ChangedAt, &s.SeenAt, &age, &lastError, &errorAt, &s.Position, &s.LagEvents, &oldest)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, false, nil
	}
	if err != nil {
		return s, false, err
	}
	s.Running = age < staleAfter.Seconds()
	if !s.Running {
		s.Connected = false
	}
	if lastError != nil {
		s.LastError = *lastError
	}
	if errorAt != nil {
		s.LastErrorAt = *errorAt
	}
	if oldest != nil {
		s.LagSeconds = time.Since(*oldest).Seconds()
	}
	return s, true, nil
}

// setConnected records the relay's state with the broker; a failure to
// record it (the database away too) is only logged.
func setConnected(ctx context.Context, cfg *Config, connected bool, cause error) {
	var msg *string
	if cause != nil {
		m := cause.Error()
		msg = &m
	}
	_, err := cfg.Store.Pool().Exec(ctx, `INSERT INTO relay_status AS r (name, connected, last_error, last_error_at)
		VALUES ($1, $2, $3, CASE WHEN $3::text IS NULL THEN NULL ELSE now() END)
		ON CONFLICT (name) DO UPDATE SET
			changed_at = CASE WHEN r.connected = excluded.connected THEN r.changed_at ELSE now() END,
			connected = excluded.connected, seen_at = now(),
			last_error = CASE WHEN excluded.connected THEN r.last_error ELSE coalesce(excluded.last_error, r.last_error) END,
			last_error_at = CASE WHEN excluded.connected THEN r.last_error_at ELSE coalesce(excluded.last_error_at, r.last_error_at) END`,
		cfg.Name, connected, msg)
	if err != nil {
		cfg.Log.Debug("relay status not recorded", "relay", cfg.Name, "error", err)
	}
}

// setStopped records that the relay stopped leading: it is no longer
// connected, nor running, until a relay (here or in another process) leads
// again.
func setStopped(ctx context.Context, cfg *Config) {
	_, err := cfg.Store.Pool().Exec(ctx, `UPDATE relay_status
		SET connected = false, changed_at = now(), seen_at = now() - interval '1 hour' WHERE name = $1`, cfg.Name)
	if err != nil {
		cfg.Log.Debug("relay status not recorded", "relay", cfg.Name, "error", err)
	}
}

// recordError notes why the relay stopped; the next batch it commits, or
// catching up, clears it.
func recordError(ctx context.Context, cfg *Config, cause error) {
	_, err := cfg.Store.Pool().Exec(ctx, `UPDATE relay_status SET last_error = $2, last_error_at = now() WHERE name = $1`, cfg.Name, cause.Error())
	if err != nil {
		cfg.Log.Debug("relay error not recorded", "relay", cfg.Name, "error", err)
	}
}

// clearError forgets the last error once the relay has caught up.
func clearError(ctx context.Context, cfg *Config) error {
	_, err := cfg.Store.Pool().Exec(ctx, `UPDATE relay_status SET last_error = NULL, last_error_at = NULL
		WHERE name = $1 AND last_error IS NOT NULL`, cfg.Name)
	return err
}
