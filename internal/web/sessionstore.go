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
		if _, err := tx.Exec(ctx, `DELETE FROM staff_sessions WHERE token = $1`, token); err != nil {
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

// recordStaffSession notes whose session a token is, at sign-in, so that the
// member's sessions can be found and ended (the session's own data is
// gob-encoded). Notes older than any session can live are let go.
func recordStaffSession(ctx context.Context, pool *pgxpool.Pool, token, username string, lifetime time.Duration) error {
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO staff_sessions (token, username) VALUES ($1, $2)
		ON CONFLICT (token) DO UPDATE SET username = EXCLUDED.username, signed_in_at = now()`, token, username)
	b.Queue(`DELETE FROM staff_sessions WHERE signed_in_at < now() - make_interval(secs => $1)`, lifetime.Seconds())
	if err := pool.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("record a staff session: %w", err)
	}
	return nil
}

// endSessionsOf ends every session of a member but keep (empty: all), as
// sign-out does: removed, and remembered as ended, so that a request still
// in flight cannot write one back. It takes each token's lock, in order,
// before touching its rows, as Commit and Delete do.
func endSessionsOf(ctx context.Context, pool *pgxpool.Pool, username, keep string) (int, error) {
	var ended int
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT token FROM staff_sessions WHERE username = $1 AND token <> $2 ORDER BY token`, username, keep)
		if err != nil {
			return err
		}
		tokens, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil || len(tokens) == 0 {
			return err
		}
		for _, token := range tokens {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('session:' || $1))`, token); err != nil {
				return err
			}
		}
		b := &pgx.Batch{}
		b.Queue(`DELETE FROM sessions WHERE token = ANY($1)`, tokens)
		b.Queue(`INSERT INTO ended_sessions (token) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, tokens)
		b.Queue(`DELETE FROM staff_sessions WHERE token = ANY($1)`, tokens)
		ended = len(tokens)
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return 0, fmt.Errorf("end the sessions of %s: %w", username, err)
	}
	return ended, nil
}
