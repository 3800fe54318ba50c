package integration_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"restaurant/domain"
	"restaurant/internal/contracts"
	"restaurant/internal/eventstore"
	"restaurant/internal/integration"
)

// translates says what translating an event does, with no store behind the
// translator: "" when it gives nothing and needs nothing.
func translates(e domain.Event) (what string) {
	defer func() {
		if v := recover(); v != nil {
			what = fmt.Sprintf("needs the store (%v)", v)
		}
	}()
	t := &integration.Translator{}
	rec := eventstore.RecordedEvent{Position: 1, StreamID: "x-1", Version: 1, Type: e.EventType(), Event: e, RecordedAt: time.Now()}
	ms, err := t.Translate(context.Background(), rec)
	switch {
	case err != nil:
		return fmt.Sprintf("fails: %v", err)
	case len(ms) > 0:
		return fmt.Sprintf("gives %s", ms[0].Type)
	}
	return ""
}

// TestEveryEventWithAPublicCounterpartIsListed: readers of the log pass by
// the events Translated does not list, so any other event must translate to
// nothing.
func TestEveryEventWithAPublicCounterpartIsListed(t *testing.T) {
	listed := eventstore.TypeNames(integration.Translated())
	for _, e := range contracts.Events() {
		if slices.Contains(listed, e.EventType()) {
			continue
		}
		if what := translates(e); what != "" {
			t.Errorf("%s is not listed, yet translating it %s", e.EventType(), what)
		}
	}
}
