package web

import (
	"context"
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

// readyz says whether this instance can serve: the database answers, the
// schema is fully migrated, and no projection has stopped at an event.
//
// A held fence (events waiting behind a transaction left open anywhere on
// the PostgreSQL server) answers 200 with status "degraded" and the holder
// named, not 503: every instance sees the same fence, so a 503 would make
// the load balancer drop all of them at once, turning stale screens into a
// restaurant that takes no orders, for something no instance can fix.
// Commands still work; only what is read from read models waits.
func (d Deps) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := withTimeout(r, 2*time.Second)
	defer cancel()
	if reason, retry := d.notReady(ctx); reason != "" {
		w.Header().Set("Retry-After", fmt.Sprint(retry))
		writeJSON(w, http.StatusServiceUnavailable, "application/problem+json", Problem{
			Type: "about:blank", Title: "Service Unavailable", Status: http.StatusServiceUnavailable, Detail: reason})
		return
	}
	if fence, held := d.heldFence(); held {
		writeJSON(w, http.StatusOK, "application/json", map[string]string{"status": "degraded", "detail": fenceDegraded(fence)})
		return
	}
	writeJSON(w, http.StatusOK, "application/json", map[string]string{"status": "ready"})
}

// notReady says why the instance cannot serve, and after how many seconds
// to ask again; an empty reason means ready.
func (d Deps) notReady(ctx context.Context) (reason string, retryAfter int) {
	if err := d.Pool.Ping(ctx); err != nil {
		return "The database does not answer.", 1
	}
	if pending, err := d.Pending(ctx); err != nil || pending > 0 {
		return "The database schema is not up to date.", 1
	}
	if d.Runner == nil {
		return "", 0
	}
	statuses, err := projections.Statuses(ctx, d.Store, d.Runner.Projections())
	if err != nil {
		return "The projections' state cannot be read.", 1
	}
	for _, s := range statuses {
		if s.LastError != "" {
			// A read model that stopped at an event serves stale pages.
			return fmt.Sprintf("The projection %s stopped: %s", s.Name, s.LastError), 5
		}
	}
	return "", 0
}
