package web

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"restaurant/projections"
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
	if d.Runner != nil {
		statuses, err := projections.Statuses(ctx, d.Store, d.Runner.Projections())
		if err != nil {
			w.Header().Set("Retry-After", "1")
			writeJSON(w, http.StatusServiceUnavailable, "application/problem+json", Problem{
				Type: "about:blank", Title: "Service Unavailable", Status: http.StatusServiceUnavailable,
				Detail: "The projections' state cannot be read."})
			return
		}
		for _, s := range statuses {
			if s.LastError != "" {
				// A read model that stopped at an event serves stale pages.
				w.Header().Set("Retry-After", "5")
				writeJSON(w, http.StatusServiceUnavailable, "application/problem+json", Problem{
					Type: "about:blank", Title: "Service Unavailable", Status: http.StatusServiceUnavailable,
					Detail: fmt.Sprintf("The projection %s stopped: %s", s.Name, s.LastError)})
				return
			}
		}
	}
	writeJSON(w, http.StatusOK, "application/json", map[string]string{"status": "ready"})
}
