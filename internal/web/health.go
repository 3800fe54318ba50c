package web

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"restaurant/static"
)

func staticHandler() http.Handler { return static.Handler() }

// healthz says the process is alive; it does not touch the database.
func healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ok")
}

// readyz says whether this instance can serve: the database answers and the
// schema is fully migrated.
func (d Deps) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := withTimeout(r, 2*time.Second)
	defer cancel()
	if err := d.Pool.Ping(ctx); err != nil {
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusServiceUnavailable, "application/problem+json", Problem{
			Type: "about:blank", Title: "Service Unavailable", Status: http.StatusServiceUnavailable,
			Detail: "The database does not answer."})
		return
	}
	pending, err := d.Pending(ctx)
	if err == nil && pending > 0 {
		err = errors.New("migrations pending")
	}
	if err != nil {
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusServiceUnavailable, "application/problem+json", Problem{
			Type: "about:blank", Title: "Service Unavailable", Status: http.StatusServiceUnavailable,
			Detail: "The database schema is not up to date."})
		return
	}
	writeJSON(w, http.StatusOK, "application/json", map[string]string{"status": "ready"})
}
