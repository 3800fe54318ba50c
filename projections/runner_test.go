package projections

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"restaurant/internal/eventstore"
)

func TestAFailingProjectionsPauseShrinksOnceItProgresses(t *testing.T) {
	bug := errors.New("a bug")
	down := &pgconn.ConnectError{}
	moved := fmt.Errorf("subscriber x: %w", eventstore.ErrCheckpointMoved)
	var b backoff
	for i, step := range []struct {
		err        error
		progressed bool
		want       time.Duration
	}{
		{bug, false, time.Second},
		{bug, false, 2 * time.Second},
		{bug, false, 4 * time.Second},
		{bug, false, 8 * time.Second},
		{bug, false, 16 * time.Second},
		{bug, false, 30 * time.Second},
		{bug, false, 30 * time.Second},
		// It recovered, ran a long while, and failed again: a new failure.
		{bug, true, time.Second},
		{bug, false, 2 * time.Second},
		{nil, false, time.Second}, // another runner leads
		{bug, false, time.Second},
		{moved, true, 0}, // rebuilt: it carries on at once
		{down, false, time.Second},
		{down, false, 2 * time.Second},
		{down, false, 4 * time.Second},
		{down, false, 5 * time.Second},
		{down, true, time.Second},
	} {
		if got := b.next(step.err, step.progressed); got != step.want {
			t.Fatalf("step %d (%v, progressed %v): pause %s, want %s", i, step.err, step.progressed, got, step.want)
		}
	}
}
