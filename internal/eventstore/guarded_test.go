package eventstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"restaurant/domain"
	"restaurant/internal/eventstore"
)

// claim takes a stream for its side, unless the other side's stream, read
// under the lock, shows the other side took it first.
type claim struct{ otherTook bool }

var claims = domain.Decider[int, claim]{
	Evolve: func(n int, _ domain.Event) int { return n + 1 },
	Decide: func(n int, c claim) ([]domain.Event, error) {
		if c.otherTook {
			return nil, domain.Conflict("The other side took it first.")
		}
		if n > 0 {
			return nil, nil
		}
		return []domain.Event{counted{N: 1}}, nil
	},
}

// Two commands, each decided on its own stream and guarded by the other's
// (a cook's start and a guest's cancel), sent at the same moment from two
// processes: one takes, the other is refused, every time.
func TestGuardedCommandsOnEachOthersStreamsNeverBothWin(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, testCodec())
	other := eventstore.Open(s.Pool(), testCodec())
	defer other.Close()
	for round := range 20 {
		a, b := fmt.Sprintf("a-%d", round), fmt.Sprintf("b-%d", round)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		start := make(chan struct{})
		for i, side := range []struct {
			store        *eventstore.Store
			stream, away string
		}{{s, a, b}, {other, b, a}} {
			wg.Go(func() {
				<-start
				_, errs[i] = eventstore.HandleGuarded(ctx, side.store, side.stream, side.away, claims, meta(),
					func(guard []eventstore.RecordedEvent) claim { return claim{otherTook: len(guard) > 0} })
			})
		}
		close(start)
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case domain.ErrorCode(err) != domain.ECONFLICT:
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d sides won (%v), want exactly one", round, won, errs)
		}
	}
}
