// Package domain holds what every bounded context shares: the event and error
// contracts and money. It is pure: no I/O, no clock, no randomness.
package domain

import (
	"errors"
	"fmt"
	"strings"
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
// there is one, so a form can show the message next to it. When several
// fields are at fault at once, Fields holds each one's message, so a form
// shows them all in one go; Field and Message are then the first field and
// every message joined.
type Error struct {
	Code    string
	Field   string
	Message string
	Fields  []FieldError
}

// FieldError is what is wrong with one field of a form.
type FieldError struct {
	Field   string
	Message string
}

func (e *Error) Error() string {
	if len(e.Fields) > 1 {
		parts := make([]string, len(e.Fields))
		for i, f := range e.Fields {
			parts[i] = f.Field + ": " + f.Message
		}
		return fmt.Sprintf("%s: %s", e.Code, strings.Join(parts, "; "))
	}
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// FieldErrors lists every field at fault: Fields, or the one Field with its
// Message, or nothing when the rejection is about no field.
func (e *Error) FieldErrors() []FieldError {
	if len(e.Fields) > 0 {
		return e.Fields
	}
	if e.Field != "" {
		return []FieldError{{Field: e.Field, Message: e.Message}}
	}
	return nil
}

// Invalid reports input that breaks a rule.
func Invalid(field, format string, args ...any) error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Fields reports input that breaks several rules at once, one message per
// field in form order, so that a guest fixes them all in one go rather than
// one per try. It returns nil when there are none, so a validation can
// gather its problems and return Fields(problems...) as its result.
func Fields(problems ...FieldError) error {
	switch len(problems) {
	case 0:
		return nil
	case 1:
		return &Error{Code: EINVALID, Field: problems[0].Field, Message: problems[0].Message}
	}
	messages := make([]string, len(problems))
	for i, p := range problems {
		messages[i] = p.Message
	}
	return &Error{Code: EINVALID, Field: problems[0].Field, Message: strings.Join(messages, " "), Fields: problems}
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
