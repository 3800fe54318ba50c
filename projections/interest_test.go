package projections_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"restaurant/domain"
	"restaurant/domain/customers"
	"restaurant/domain/kitchen"
	"restaurant/domain/menu"
	"restaurant/domain/ordering"
	"restaurant/domain/staff"
	"restaurant/internal/contracts"
	"restaurant/internal/eventstore"
	"restaurant/projections"
)

// touchingTx is a transaction that refuses every statement and remembers
// that one was tried: a projection given an event it does not act on must
// not try any.
type touchingTx struct {
	pgx.Tx // nil: any other use panics, which counts as a use too
	tried  []string
}

var errTouched = errors.New("a statement was tried")

func (t *touchingTx) Exec(_ context.Context, sql string, _ ...any) (pgconn.CommandTag, error) {
	t.tried = append(t.tried, sql)
	return pgconn.CommandTag{}, errTouched
}

func (t *touchingTx) Query(_ context.Context, sql string, _ ...any) (pgx.Rows, error) {
	t.tried = append(t.tried, sql)
	return nil, errTouched
}

func (t *touchingTx) QueryRow(_ context.Context, sql string, _ ...any) pgx.Row {
	t.tried = append(t.tried, sql)
	return errorRow{}
}

func (t *touchingTx) SendBatch(context.Context, *pgx.Batch) pgx.BatchResults {
	t.tried = append(t.tried, "a batch")
	panic(errTouched)
}

func (t *touchingTx) CopyFrom(context.Context, pgx.Identifier, []string, pgx.CopyFromSource) (int64, error) {
	t.tried = append(t.tried, "COPY")
	return 0, errTouched
}

type errorRow struct{}

func (errorRow) Scan(...any) error { return errTouched }

// homes are the streams an event of its type may be stored in, as far as a
// projection that looks at an event's stream can tell.
func homes(e domain.Event) []string {
	t := e.EventType()
	switch {
	case strings.HasPrefix(t, "ordering."):
		return []string{ordering.Stream("1")}
	case strings.HasPrefix(t, "kitchen.Ticket"):
		return []string{kitchen.Stream("1")}
	case strings.HasPrefix(t, "customers."):
		return []string{customers.Stream("1"), customers.EmailStream("1")}
	case strings.HasPrefix(t, "menu.Portions"):
		return []string{menu.PortionsStream("1")}
	case strings.HasPrefix(t, "menu."):
		return []string{menu.Stream("1"), menu.ContextPrefix + "categories"}
	case strings.HasPrefix(t, "staff."):
		return []string{staff.Stream("1")}
	}
	return []string{strings.ToLower(strings.SplitN(t, ".", 2)[0])}
}

// untouched applies one event, as if stored in each of its homes in turn,
// to a projection and says why it did act on it, or "" when it did nothing:
// no statement, no error, no topic.
func untouched(p projections.Projection, e domain.Event) string {
	for _, stream := range homes(e) {
		if why := untouchedIn(p, e, stream); why != "" {
			return fmt.Sprintf("%s (stored in %s)", why, stream)
		}
	}
	return ""
}

func untouchedIn(p projections.Projection, e domain.Event, stream string) (why string) {
	defer func() {
		if v := recover(); v != nil {
			why = fmt.Sprintf("panicked: %v", v)
		}
	}()
	rec := eventstore.RecordedEvent{Position: 1, StreamID: stream, Version: 1, Type: e.EventType(), Event: e, RecordedAt: time.Now()}
	tx := &touchingTx{}
	var err error
	if b, ok := p.(projections.BatchApplier); ok {
		err = b.ApplyBatch(context.Background(), tx, []eventstore.RecordedEvent{rec})
	} else {
		err = p.Apply(context.Background(), tx, rec)
	}
	switch {
	case len(tx.tried) > 0:
		return fmt.Sprintf("tried %q", tx.tried[0])
	case err != nil:
		return fmt.Sprintf("failed: %v", err)
	}
	if n, ok := p.(projections.Notifier); ok && len(n.Topics(rec)) > 0 {
		return fmt.Sprintf("names topics %v", n.Topics(rec))
	}
	return ""
}

// TestASelectiveProjectionListsEveryEventItActsOn: the runner passes by the
// events a projection does not list, so an event it acts on but forgot to
// list would never reach it. Every event of the contract that a projection
// does not list must leave it doing nothing, and the list must name only
// events of the contract.
func TestASelectiveProjectionListsEveryEventItActsOn(t *testing.T) {
	all := contracts.Events()
	known := map[string]bool{}
	for _, e := range all {
		known[e.EventType()] = true
	}
	selective := 0
	for _, p := range append(projections.All(), projections.Policies(nil)...) {
		s, ok := p.(projections.Selective)
		if !ok {
			continue
		}
		selective++
		var listed []string
		for _, e := range s.Handles() {
			if !known[e.EventType()] {
				t.Errorf("%s lists %s, which the contract does not know", p.Name(), e.EventType())
			}
			listed = append(listed, e.EventType())
		}
		for _, e := range all {
			if slices.Contains(listed, e.EventType()) {
				continue
			}
			if why := untouched(p, e); why != "" {
				t.Errorf("%s does not list %s, yet it %s", p.Name(), e.EventType(), why)
			}
		}
	}
	if selective == 0 {
		t.Fatal("no projection is selective")
	}
}
