package web

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"restaurant/domain"
	"restaurant/internal/accounts"
	"restaurant/internal/eventstore"
	"restaurant/internal/postgres"
)

// Problem is an RFC 9457 problem document. Field names the first field at
// fault; Errors, an extension member, lists every field at fault with what
// to do about it, so a client can show them all at once.
type Problem struct {
	Type   string         `json:"type"`
	Title  string         `json:"title"`
	Status int            `json:"status"`
	Detail string         `json:"detail,omitempty"`
	Field  string         `json:"field,omitempty"`
	Errors []FieldProblem `json:"errors,omitempty"`
}

// FieldProblem is what is wrong with one field of a request.
type FieldProblem struct {
	Field  string `json:"field"`
	Detail string `json:"detail"`
}

// statusOf maps an error to its HTTP status, in one place.
func statusOf(err error) int {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return http.StatusServiceUnavailable
	}
	var re *requestError
	if errors.As(err, &re) {
		return re.status
	}
	var throttled *accounts.ThrottledError
	if tooMany(err) != nil || errors.As(err, &throttled) {
		return http.StatusTooManyRequests
	}
	if errors.Is(err, eventstore.ErrConflict) {
		return http.StatusConflict
	}
	if errors.Is(err, eventstore.ErrCommandReused) {
		return http.StatusUnprocessableEntity
	}
	if errors.Is(err, eventstore.ErrErased) {
		return http.StatusGone
	}
	switch domain.ErrorCode(err) {
	case domain.EINVALID:
		return http.StatusUnprocessableEntity
	case domain.ENOTFOUND:
		return http.StatusNotFound
	case domain.ECONFLICT:
		return http.StatusConflict
	}
	if postgres.Unavailable(err) {
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// retryAfter is how many seconds a client is asked to wait after a 503: a
// database restart or a moment's overload is usually over by then.
const retryAfter = "3"

// unavailableDetail tells people why a request could not be served.
const unavailableDetail = "The restaurant cannot reach its database right now. Please try again in a few seconds."

// writeProblem answers with a problem document. Internal errors are logged
// once here and shown to the client only as a generic sentence.
func writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	setRetryAfter(w, err, status)
	writeJSON(w, status, "application/problem+json", problemOf(r, err, status))
}

// setRetryAfter tells a client when to come back: after a reached limit,
// when it ends; after a 503, in a few seconds.
func setRetryAfter(w http.ResponseWriter, err error, status int) {
	if tm := tooMany(err); tm != nil {
		w.Header().Set("Retry-After", tm.retryAfterSeconds())
	} else if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", retryAfter)
	}
}

// problemOf describes an error for a client; internal errors are logged here.
func problemOf(r *http.Request, err error, status int) Problem {
	p := Problem{Type: "about:blank", Title: http.StatusText(status), Status: status}
	var de *domain.Error
	var re *requestError
	switch {
	case errors.As(err, &re):
		p.Detail = re.detail
	case status == http.StatusTooManyRequests && tooMany(err) != nil:
		p.Detail = tooMany(err).detail
	case errors.As(err, &de):
		p.Detail, p.Field = de.Message, de.Field
		for _, f := range de.FieldErrors() {
			p.Errors = append(p.Errors, FieldProblem{Field: f.Field, Detail: f.Message})
		}
	case errors.Is(err, eventstore.ErrCommandReused):
		p.Detail = "This command id (idempotency key) was already used for a different request. " +
			"Nothing was changed; send this request with a new key."
	case errors.Is(err, eventstore.ErrErased):
		p.Detail = "The details of the person behind this order were erased at their request, so no new ones can be added to it. Please start a new order."
	case status == http.StatusConflict:
		p.Detail = "Someone else changed this at the same moment. Please try again."
	case status == http.StatusServiceUnavailable && postgres.Unavailable(err):
		// The database is down, restarting, or its connection broke; the
		// outage is logged by what watches the database, not per request.
		slog.DebugContext(r.Context(), "database unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
		p.Detail = unavailableDetail
	case status == http.StatusServiceUnavailable:
		// The client went away, or the database did not answer in time.
		p.Detail = "The restaurant is busy right now. Please try again in a moment."
	default:
		slog.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		p.Detail = "Something went wrong on our side. Please try again in a moment."
	}
	return p
}

// writeJSON answers with a JSON document. Like a page, it is never stored
// by a browser or a cache on the way: orders carry delivery addresses.
func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
