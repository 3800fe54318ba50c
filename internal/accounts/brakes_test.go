package accounts

import (
	"testing"
	"time"
)

func TestAnAccountIsSlowedNeverLocked(t *testing.T) {
	b := Brakes{}.withDefaults()
	for tries, want := range map[int]time.Duration{
		1: 0, 5: 0, 6: 250 * time.Millisecond, 7: 500 * time.Millisecond, 9: 2 * time.Second,
		10: 4 * time.Second, 11: 4 * time.Second, 1000: 4 * time.Second,
	} {
		if got := b.accountDelay(tries); got != want {
			t.Errorf("try %d on an account waits %s, want %s", tries, got, want)
		}
	}
}
