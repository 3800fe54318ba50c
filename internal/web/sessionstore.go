package web

import (
	"context"
	"fmt"
	"time"

	"github.com/alexedwards/scs/postgresstore"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// sessionStore keeps staff sessions in PostgreSQL, and never writes back a
// session that was ended. With an idle timeout every request that loaded a
// session saves it again when it ends; one still in flight when its member
// signs out (another tab, a screen) would otherwise bring the session back.
// Ending and saving a session take turns on its token.
type sessionStore struct {
	*postgresstore.PostgresStore // reading, and removing expired sessions
	pool                         *pgxpool.Pool
	lifetime                     time.Duration
}

// Commit saves a session unless it was ended.
func (s *sessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.onToken(token, func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO sessions (token, data, expiry)
			SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM ended_sessions WHERE token = $1)
			ON CONFLICT (token) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry`, token, b, expiry)
		return err
	})
}

// Delete ends a session: it is removed, and remembered for as long as it
// could have lived.
func (s *sessionStore) Delete(token string) error {
	return s.onToken(token, func(ctx context.Context, tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE token = $1`, token); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO ended_sessions (token) VALUES ($1) ON CONFLICT DO NOTHING`, token); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM ended_sessions WHERE ended_at < now() - $1::interval`, s.lifetime.String())
		return err
	})
}

// onToken runs fn in a transaction that holds the token's lock.
func (s *sessionStore) onToken(token string, fn func(context.Context, pgx.Tx) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('session:' || $1))`, token); err != nil {
			return err
		}
		return fn(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("staff session: %w", err)
	}
	return nil
}
