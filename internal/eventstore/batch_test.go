package eventstore

import (
	"slices"
	"testing"

	"restaurant/domain"
)

func TestNextBatchKeepsEachStreamInOrderAndOutOfBatchesInFlight(t *testing.T) {
	req := func(stream string, events int) *appendRequest {
		return &appendRequest{stream: stream, events: make([]domain.Event, events)}
	}
	a1, b1, a2, c1, d1, b2 := req("a", 1), req("b", 1), req("a", 1), req("c", 1), req("d", 1), req("b", 1)
	busy := map[string]bool{"c": true} // c is in a batch in flight
	batch, rest := nextBatch([]*appendRequest{a1, b1, a2, c1, d1, b2}, busy)
	if !slices.Equal(batch, []*appendRequest{a1, b1, d1}) {
		t.Errorf("batch: %v, want a's, b's and d's first requests", streams(batch))
	}
	if !slices.Equal(rest, []*appendRequest{a2, c1, b2}) {
		t.Errorf("left waiting: %v, want a's and b's second, and c behind its batch in flight", streams(rest))
	}
	for _, s := range []string{"a", "b", "c", "d"} {
		if !busy[s] {
			t.Errorf("stream %s is not marked in flight", s)
		}
	}
	if batch, rest := nextBatch(rest, busy); batch != nil || len(rest) != 3 {
		t.Errorf("with every stream in flight, a batch of %v went, %d left; want none, 3", streams(batch), len(rest))
	}
}

func TestNextBatchStopsAtItsEventCapButNeverLeavesOneRequestOut(t *testing.T) {
	big := &appendRequest{stream: "big", events: make([]domain.Event, maxBatchEvents+1)}
	small := &appendRequest{stream: "small", events: make([]domain.Event, 1)}
	batch, rest := nextBatch([]*appendRequest{big, small}, map[string]bool{})
	if !slices.Equal(batch, []*appendRequest{big}) || !slices.Equal(rest, []*appendRequest{small}) {
		t.Errorf("batch %v, waiting %v; want the big request alone, the small one next", streams(batch), streams(rest))
	}
}

func streams(rs []*appendRequest) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.stream)
	}
	return out
}
