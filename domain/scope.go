package domain

// Scope is a set of facts that one decision reads across several streams
// of a bounded context, where a rule spans them: every stream whose id
// begins with Prefix, its events of Types only, in the log's order. Every
// command that writes such a fact, or decides on them, holds the lock of
// the stream Lock while it does, so the facts cannot change under a
// decision. A context declares its scopes with its stream names, and the
// event store runs them, as it runs a Decider.
type Scope struct {
	Lock   string
	Prefix string
	Types  []string
}
