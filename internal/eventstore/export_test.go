package eventstore

import "time"

// SetKeyLifetime makes the store keep personal keys in memory for d only,
// so that a test can see what happens when they expire.
func SetKeyLifetime(s *Store, d time.Duration) {
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	s.keys.lifetime = d
}

// ForgetAggregates drops every stream the store keeps folded, as a new
// process would start, so that a test loads them from the database.
func ForgetAggregates(s *Store) { s.aggregates.clear() }

// FencedSQL is the statement a caught-up subscriber runs each time it
// looks for events held back by the fence.
const FencedSQL = fencedSQL

// SharedReads is how many subscribers' reads were answered from another's.
func SharedReads(s *Store) int64 { return s.share.shared.Load() }
