package kitchen

import (
	"testing"
	"time"
)

func TestReadyAt(t *testing.T) {
	now := time.Date(2026, 12, 4, 19, 30, 0, 0, time.UTC)
	min := func(n int) time.Duration { return time.Duration(n) * time.Minute }
	for _, tc := range []struct {
		name     string
		ahead    []InHand
		cook     time.Duration
		parallel int
		want     time.Duration // after now
	}{
		{"an empty kitchen", nil, min(12), 3, min(12)},
		{"free places at the stoves", []InHand{{Cook: min(10)}, {Cook: min(10)}}, min(12), 3, min(12)},
		{"every place taken: the first to free up", []InHand{{Cook: min(10)}, {Cook: min(6)}, {Cook: min(8)}}, min(12), 3, min(6 + 12)},
		{"one at a time", []InHand{{Cook: min(10)}, {Cook: min(6)}}, min(4), 1, min(10 + 6 + 4)},
		{"started five minutes ago", []InHand{{Cook: min(10), Started: now.Add(-min(5))}}, min(4), 1, min(5 + 4)},
		{"cooking past its time counts a minute more", []InHand{{Cook: min(10), Started: now.Add(-min(25))}}, min(4), 1, min(1 + 4)},
		{"a queue longer than the stoves", []InHand{{Cook: min(12)}, {Cook: min(12)}, {Cook: min(12)}, {Cook: min(12)}}, min(12), 2, min(36)},
		{"no pace counts one place", []InHand{{Cook: min(10)}}, min(5), 0, min(15)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ReadyAt(now, tc.ahead, tc.cook, tc.parallel); !got.Equal(now.Add(tc.want)) {
				t.Fatalf("ready at %s, want %s", got.Sub(now), tc.want)
			}
		})
	}
	if got := CookTime([]time.Duration{min(4), min(12), min(2)}); got != min(12) {
		t.Fatalf("an order of a salad, a pizza and a drink cooks %s", got)
	}
	if got := CookTime(nil); got != 0 {
		t.Fatalf("an order of nothing cooks %s", got)
	}
}
