package web

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"restaurant/internal/integration"
	"restaurant/internal/relay"
	"restaurant/views"
)

// showEventCatalogue is the catalogue of the integration messages other
// systems receive, generated from the contract's code as the committed
// docs/events is.
func (d Deps) showEventCatalogue(w http.ResponseWriter, r *http.Request) {
	entries, err := integration.Catalogue()
	if err != nil {
		fail(w, r, err)
		return
	}
	v := views.CatalogueView{Nav: staffNav(r.Context()), Exchange: d.RelayExchange}
	if v.Exchange == "" {
		v.Exchange = relay.DefaultExchange
	}
	for _, e := range entries {
		v.Entries = append(v.Entries, views.CatalogueEntry{Type: e.Type, RoutingKey: e.RoutingKey, Meaning: e.Meaning,
			Source: e.Source, Schema: e.Schema, Example: e.Example})
	}
	render(w, r, http.StatusOK, views.CataloguePage(v))
}

// relayView is how the relay stands, for the projections page; nil when
// no relay ever ran on this database.
func (d Deps) relayView(ctx context.Context) (*views.RelayView, error) {
	s, found, err := relay.ReadStatus(ctx, d.Pool, "")
	if err != nil || !found {
		return nil, err
	}
	v := &views.RelayView{Position: s.Position, LagEvents: s.LagEvents, LagSeconds: s.LagSeconds, LastError: s.LastError}
	switch {
	case !s.Running:
		v.State, v.Since = "not running", fmt.Sprintf("(last seen %s ago)", time.Since(s.SeenAt).Round(time.Second))
	case s.Connected:
		v.State, v.Since = "connected", fmt.Sprintf("(for %s)", time.Since(s.ChangedAt).Round(time.Second))
	default:
		v.State, v.Since = "disconnected", fmt.Sprintf("(for %s)", time.Since(s.ChangedAt).Round(time.Second))
	}
	return v, nil
}
