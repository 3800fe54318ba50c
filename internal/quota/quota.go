// Package quota counts uses per key and per window in PostgreSQL, so that
// every server process on one database shares one count: how many orders a
// guest or an address may open or place an hour.
package quota

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Limit is at most Max uses of Key per window; a Max below one is no limit.
type Limit struct {
	Key string
	Max int
}

// Counter keeps the counts in the quota_uses table.
type Counter struct {
	Pool *pgxpool.Pool
}

// take counts one use unless the key already has max in the window; the
// check and the count are one statement, so two requests at once cannot
// both take the last use.
const take = `INSERT INTO quota_uses (key, window_start, uses) VALUES ($1, $2, 1)
ON CONFLICT (key, window_start) DO UPDATE SET uses = quota_uses.uses + 1
WHERE quota_uses.uses < $3
RETURNING uses`

// Take counts one use against every limit in the window starting at
// window, all of them or none: if a limit is already reached, nothing is
// counted and Take returns that limit with ok false.
func (c Counter) Take(ctx context.Context, window time.Time, limits ...Limit) (refused Limit, ok bool, err error) {
	limits = slices.DeleteFunc(slices.Clone(limits), func(l Limit) bool { return l.Max < 1 })
	// One order of keys for every caller, so that two takes never wait on
	// each other's rows crosswise.
	slices.SortFunc(limits, func(a, b Limit) int { return strings.Compare(a.Key, b.Key) })
	tx, err := c.Pool.Begin(ctx)
	if err != nil {
		return Limit{}, false, fmt.Errorf("count uses: %w", err)
	}
	defer tx.Rollback(ctx)
	fresh := false
	for _, l := range limits {
		var uses int
		err := tx.QueryRow(ctx, take, l.Key, window, l.Max).Scan(&uses)
		if errors.Is(err, pgx.ErrNoRows) {
			return l, false, nil
		}
		if err != nil {
			return Limit{}, false, fmt.Errorf("count uses of %s: %w", l.Key, err)
		}
		fresh = fresh || uses == 1
	}
	if fresh {
		// A key's first use in this window: past windows' rows are of no
		// more use to anyone. Once a window has begun there are none left,
		// so this costs a look at an index.
		if _, err := tx.Exec(ctx, `DELETE FROM quota_uses WHERE window_start < $1`, window); err != nil {
			return Limit{}, false, fmt.Errorf("forget past uses: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return Limit{}, false, fmt.Errorf("count uses: %w", err)
	}
	return Limit{}, true, nil
}

// Return gives back one use of each key in the window, for a use that
// turned out to change nothing (a repeated or refused command).
func (c Counter) Return(ctx context.Context, window time.Time, keys ...string) error {
	if _, err := c.Pool.Exec(ctx, `UPDATE quota_uses SET uses = uses - 1
		WHERE key = ANY($1) AND window_start = $2 AND uses > 0`, keys, window); err != nil {
		return fmt.Errorf("give uses back: %w", err)
	}
	return nil
}
