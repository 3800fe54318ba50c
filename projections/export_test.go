package projections

import (
	"testing"
	"time"
)

// SetStandbyCheck shortens how long a runner standing by waits on a lock
// at a time, until the test ends. Call it before starting runners.
func SetStandbyCheck(tb testing.TB, d time.Duration) {
	old := standbyCheck
	standbyCheck = d
	tb.Cleanup(func() { standbyCheck = old })
}
