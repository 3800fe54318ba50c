package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"restaurant/internal/notify"
	"restaurant/projections"
	"restaurant/views"
)

// rebuilds tracks the rebuilds this process started, for the page.
type rebuilds struct {
	mu       sync.Mutex
	progress map[string]string
	running  map[string]bool
}

func (rb *rebuilds) set(name, words string, running bool) {
	rb.mu.Lock()
	defer rb.mu.Unlock()
	rb.progress[name], rb.running[name] = words, running
}

func (rb *rebuilds) get(name string) (string, bool) {
	rb.mu.Lock()
	defer rb.mu.Unlock()
	return rb.progress[name], rb.running[name]
}

// showProjections is every projection's position, lag and last error.
func (d Deps) showProjections(w http.ResponseWriter, r *http.Request) {
	v, err := d.projectionsView(r.Context())
	if err != nil {
		fail(w, r, err)
		return
	}
	render(w, r, http.StatusOK, views.ProjectionsPage(v))
}

// projectionsView is the projections page's content, for the page and its
// pushes alike.
func (d Deps) projectionsView(ctx context.Context) (views.ProjectionsView, error) {
	ps := d.Runner.Projections()
	statuses, err := projections.Statuses(ctx, d.Store, ps)
	if err != nil {
		return views.ProjectionsView{}, err
	}
	v := views.ProjectionsView{Nav: staffNav(ctx), CommandID: commandIDs()}
	if r, held := d.heldFence(); held {
		v.Fence = fenceView(r)
	}
	if v.Relay, err = d.relayView(ctx); err != nil {
		return views.ProjectionsView{}, err
	}
	for i, s := range statuses {
		words, running := d.rebuilds.get(s.Name)
		v.Projections = append(v.Projections, views.ProjectionView{Name: s.Name, Position: s.Position, LagEvents: s.LagEvents,
			LagSeconds: s.LagSeconds, LastError: s.LastError, Rebuild: words,
			CanRebuild: len(ps[i].Tables()) > 0 && !running})
	}
	// The notifications, when they follow the log in process (no broker),
	// keep a checkpoint too: a mail server that refuses holds it back.
	var notifying bool
	if err := d.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM checkpoints WHERE name = $1)`, notify.DefaultCheckpoint).Scan(&notifying); err != nil {
		return views.ProjectionsView{}, fmt.Errorf("the notifications' checkpoint: %w", err)
	}
	if notifying {
		s, err := projections.StatusOf(ctx, d.Store, notify.DefaultCheckpoint)
		if err != nil {
			return views.ProjectionsView{}, err
		}
		v.Projections = append(v.Projections, views.ProjectionView{Name: s.Name, Position: s.Position, LagEvents: s.LagEvents,
			LagSeconds: s.LagSeconds, LastError: s.LastError})
	}
	return v, nil
}

// rebuildProjection starts replaying a read model from the first event, in
// the background; the page shows its progress. Policies are not replayed.
func (d Deps) rebuildProjection(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "name")
	var target projections.Projection
	for _, p := range d.Runner.Projections() {
		if p.Name() == name && len(p.Tables()) > 0 {
			target = p
		}
	}
	if target == nil {
		fail(w, r, &requestError{http.StatusNotFound, "There is no read model of that name to rebuild."})
		return
	}
	if _, running := d.rebuilds.get(name); !running {
		d.rebuilds.set(name, "Rebuild starting…", true)
		by := signedIn(r.Context()).Username
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
			defer cancel()
			start := time.Now()
			n, err := projections.Rebuild(ctx, d.Store, target, func(done, total int64) {
				d.rebuilds.set(name, fmt.Sprintf("Rebuilding: %d of %d events", done, total), true)
			})
			if err != nil {
				slog.Error("rebuild failed", "projection", name, "by", by, "error", err)
				d.rebuilds.set(name, "The rebuild failed: "+err.Error(), false)
				return
			}
			slog.Info("projection rebuilt", "projection", name, "by", by, "events", n)
			d.rebuilds.set(name, fmt.Sprintf("Rebuilt from %d events in %s", n, time.Since(start).Round(time.Millisecond)), false)
		}()
	}
	http.Redirect(w, r, "/staff/projections", http.StatusSeeOther)
}
