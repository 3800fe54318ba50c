// Package domain holds what every bounded context shares: the event and error
// contracts and money. It is pure: no I/O, no clock, no randomness.
package domain

import (
	"errors"
	"fmt"
)

// Event is an immutable fact, named in the past tense after the user's intent.
// EventType is its stable name ("ordering.ItemAddedToOrder"), independent of the
// Go type name so that renaming code never breaks stored history.
type Event interface {
	EventType() string
}

// Error codes, mapped to HTTP statuses in one place by the web layer.
const (
	EINVALID  = "invalid"   // the input breaks a rule (422)
	ENOTFOUND = "not_found" // the thing does not exist (404)
	ECONFLICT = "conflict"  // the state forbids the command now (409)
	EINTERNAL = "internal"  // a bug or an outage (500)
)

// Error is a rejection a user can read. Field names the input at fault, when
// there is one, so a form can show the message next to it.
type Error struct {
	Code    string
	Field   string
	Message string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Invalid reports input that breaks a rule.
func Invalid(field, format string, args ...any) error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Conflict reports a command the current state does not allow.
func Conflict(format string, args ...any) error {
	return &Error{Code: ECONFLICT, Message: fmt.Sprintf(format, args...)}
}

// NotFound reports a missing thing.
func NotFound(format string, args ...any) error {
	return &Error{Code: ENOTFOUND, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, or EINTERNAL.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}
