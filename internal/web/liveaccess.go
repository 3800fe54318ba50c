package web

import (
	"sync"
	"time"
)

// accessChecks shares the access checks that screens run at their pings:
// screens that show the same topics to the same client (one session's
// kitchen displays, say) ask the same question of the database, so within
// a while (a fraction of the ping period) the first one's answer is every
// one's, and a check already running is waited for rather than run again.
// Ten thousand idle screens then cost a few checks per ping period, not ten
// thousand session reads and writes at once. An access notice forgets the
// answer, so that a member signed out or disabled is checked afresh.
type accessChecks struct {
	mu     sync.Mutex
	checks map[string]*accessCheck
}

// accessCheck is one check, done when done is closed.
type accessCheck struct {
	done chan struct{}
	err  error
	at   time.Time // when it ended
}

func newAccessChecks() *accessChecks {
	return &accessChecks{checks: map[string]*accessCheck{}}
}

// check returns the answer of a check of key that ended within fresh, or
// that is running; otherwise it runs one.
func (c *accessChecks) check(key string, fresh time.Duration, run func() error) error {
	c.mu.Lock()
	e := c.checks[key]
	if e == nil || (ended(e) && time.Since(e.at) >= fresh) {
		if len(c.checks) >= 1024 {
			c.prune(fresh)
		}
		e = &accessCheck{done: make(chan struct{})}
		c.checks[key] = e
		c.mu.Unlock()
		e.err = run()
		e.at = time.Now()
		close(e.done)
		return e.err
	}
	c.mu.Unlock()
	<-e.done
	return e.err
}

// forget drops key's answer, or the check of it running now: whoever
// checks next checks afresh (those waiting for the running one get its
// answer, and check afresh at their own notice).
func (c *accessChecks) forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.checks, key)
}

// prune drops answers too old to give; c.mu is held.
func (c *accessChecks) prune(fresh time.Duration) {
	for k, e := range c.checks {
		if ended(e) && time.Since(e.at) >= fresh {
			delete(c.checks, k)
		}
	}
}

func ended(e *accessCheck) bool {
	select {
	case <-e.done:
		return true
	default:
		return false
	}
}
