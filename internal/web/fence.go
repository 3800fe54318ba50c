package web

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"restaurant/internal/eventstore"
	"restaurant/views"
)

// heldFence is the store's report when events have waited past the
// threshold behind a transaction, for the page and /readyz; ok is false
// otherwise.
func (d Deps) heldFence() (eventstore.FenceReport, bool) {
	if d.Store == nil {
		return eventstore.FenceReport{}, false
	}
	r := d.Store.Fence()
	return r, r.Held
}

// fenceView is the projections page's warning of a held fence.
func fenceView(r eventstore.FenceReport) *views.FenceView {
	h := r.Holder
	return &views.FenceView{WaitingFor: time.Since(r.Since).Round(time.Second).String(), XID: h.XID, PID: h.PID, GID: h.GID,
		Database: h.Database, User: h.User, State: h.State, Application: h.Application,
		Age: h.Age.Round(time.Second).String(), Query: h.Query}
}

// fenceDegraded is /readyz's reason to call the instance degraded. It
// leaves out the holder's statement: /readyz answers anyone, and that text
// may be another application's data; the staff page and the log show it.
func fenceDegraded(r eventstore.FenceReport) string {
	h := r.Holder
	h.Query = ""
	return fmt.Sprintf("degraded: screens and read models have waited %s behind %s",
		time.Since(r.Since).Round(time.Second), h)
}

// fenceAgeGauge is the age of the transaction every subscriber waits
// behind, 0 when none does: an alert on it finds a stalled kitchen before
// the cooks do. It reads the store's report, not the database.
func fenceAgeGauge(store *eventstore.Store) prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "restaurant_fence_holder_age_seconds",
		Help: "Age of the open transaction that events wait behind (it stalls every subscriber); 0 when none.",
	}, func() float64 {
		if r := store.Fence(); !r.Since.IsZero() {
			return r.Holder.Age.Seconds()
		}
		return 0
	})
}
