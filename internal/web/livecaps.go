package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	"restaurant/internal/metrics"
)

// Defaults for the live sockets' caps; see Deps.
const (
	// defaultLivePerAddress is ten times what one browser opens (a page
	// follows one socket; a tab or two more), and a hundredth of the
	// total: a guest's address cannot take the whole server's share.
	defaultLivePerAddress = 50
	// defaultLiveMax keeps the sockets' memory bounded: an idle kitchen
	// screen takes some 18 KB resident (BENCHMARKS.md), 90 MB for 5,000;
	// a guest's menu screen, rendered for its guest alone, takes more
	// while its push is written.
	defaultLiveMax = 5000
)

// liveRetryAfter is the wait, in seconds, asked of a screen refused a
// socket: a few of the address's screens will have closed by then.
const liveRetryAfter = "30"

// liveSockets counts the live sockets open, in all and per guest address,
// to refuse a socket past either cap. Signed-in staff screens count only
// towards the total: a kitchen's many screens behind one address are not
// turned away because guests at that address, or a flood from it, hold
// their share; signing in is throttled, so a flood cannot pass as staff.
type liveSockets struct {
	perAddress, max int

	mu     sync.Mutex
	all    int
	guests map[string]int
}

func newLiveSockets(perAddress, max int) *liveSockets {
	if perAddress <= 0 {
		perAddress = defaultLivePerAddress
	}
	if max <= 0 {
		max = defaultLiveMax
	}
	return &liveSockets{perAddress: perAddress, max: max, guests: map[string]int{}}
}

// capError is a socket refused by a cap: its status, the sentence for the
// screen, and the reason it is counted under.
type capError struct {
	status int
	detail string
	reason string
}

func (e *capError) Error() string { return e.detail }

// take holds a place for a socket from addr, or says which cap refuses
// it; release gives the place back, once.
func (l *liveSockets) take(addr string, staff bool) (release func(), err *capError) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.all >= l.max:
		return nil, &capError{http.StatusServiceUnavailable,
			"The restaurant has as many live screens open as it can take. This screen will try again shortly.", "live_total"}
	case !staff && l.guests[addr] >= l.perAddress:
		return nil, &capError{http.StatusTooManyRequests,
			fmt.Sprintf("Your address has %d live screens open, as many as it may. Close some, or sign in as staff for a kitchen screen.", l.perAddress),
			"live_per_address"}
	}
	l.all++
	if !staff {
		l.guests[addr]++
	}
	var once sync.Once
	return func() { once.Do(func() { l.release(addr, staff) }) }, nil
}

func (l *liveSockets) release(addr string, staff bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.all--
	if staff {
		return
	}
	if l.guests[addr]--; l.guests[addr] <= 0 {
		delete(l.guests, addr)
	}
}

// refuseSocket answers a socket refused by a cap, before the upgrade, with
// a problem document and when to try again, and counts it.
func refuseSocket(w http.ResponseWriter, r *http.Request, e *capError) {
	metrics.Refused.WithLabelValues(e.reason).Inc()
	slog.DebugContext(r.Context(), "live socket refused", "reason", e.reason, "address", clientAddress(r))
	w.Header().Set("Retry-After", liveRetryAfter)
	writeJSON(w, e.status, "application/problem+json",
		Problem{Type: "about:blank", Title: http.StatusText(e.status), Status: e.status, Detail: e.detail})
}
