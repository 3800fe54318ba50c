package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/domain/kitchen"
	"restaurant/domain/menu"
	"restaurant/internal/eventstore"
	"restaurant/projections"
	"restaurant/views"
)

// stations folds the kitchen's stations from their stream: one short
// stream, read whole, so every screen sees them as they are.
func (d Deps) stations(ctx context.Context) (kitchen.Stations, error) {
	events, err := d.Store.ReadStream(ctx, kitchen.StationsStream, 0)
	if err != nil {
		return kitchen.Stations{}, err
	}
	return eventstore.Fold(kitchen.EvolveStations, events), nil
}

// stationName is a station's name for people, also of one removed since.
func stationName(s kitchen.Stations, id string) string {
	if name := s.Name(id); name != "" {
		return name
	}
	return "A station removed since"
}

// routedTo tells where a new ticket's dishes went: "; Pizza oven: 1 ×
// Margherita; Bar: 1 × Lager", or "" when the whole kitchen cooks them.
func routedTo(s kitchen.Stations, items []kitchen.Item) string {
	var order []string
	by := map[string][]string{}
	for _, it := range items {
		if it.Station == "" {
			continue
		}
		if _, seen := by[it.Station]; !seen {
			order = append(order, it.Station)
		}
		by[it.Station] = append(by[it.Station], ticketDish(items, it.LineID))
	}
	var b strings.Builder
	for _, id := range order {
		b.WriteString("; " + stationName(s, id) + ": " + strings.Join(by[id], ", "))
	}
	return b.String()
}

// stationScreen is a station's own kitchen screen.
func stationScreen(id string) string { return "/kitchen?station=" + url.QueryEscape(id) }

// showStations is the managers' page of the stations.
func (d Deps) showStations(w http.ResponseWriter, r *http.Request) {
	d.waitFor(r, "menu")
	d.renderStations(w, r, http.StatusOK, nil)
}

func (d Deps) renderStations(w http.ResponseWriter, r *http.Request, status int, fe *views.FormError) {
	ctx := r.Context()
	stations, err := d.stations(ctx)
	if err != nil {
		fail(w, r, err)
		return
	}
	categories, err := d.Menus.Categories(ctx)
	if err != nil {
		fail(w, r, err)
		return
	}
	dishes, err := d.listed(ctx, true)
	if err != nil {
		fail(w, r, err)
		return
	}
	v := views.StationsView{Nav: staffNav(ctx), Error: fe, CommandID: commandIDs()}
	names := map[string]string{}
	for _, c := range categories {
		v.Categories = append(v.Categories, views.Choice{ID: c.ID, Name: c.Name})
		names["c"+c.ID] = c.Name
	}
	for _, it := range dishes {
		v.Dishes = append(v.Dishes, views.Choice{ID: it.ItemID, Name: it.Name})
		names["d"+it.ItemID] = it.Name
	}
	named := func(prefix, id string) string {
		if n, ok := names[prefix+id]; ok {
			return n
		}
		return "(no longer on the menu)"
	}
	for i, st := range stations.List() {
		sv := views.StationView{ID: st.ID, Name: st.Name, Default: i == 0, Screen: stationScreen(st.ID)}
		for _, c := range st.Categories {
			sv.Routes = append(sv.Routes, views.RouteView{Label: "Category " + named("c", c), Field: "category_id", ID: c})
		}
		for _, dish := range st.Dishes {
			sv.Routes = append(sv.Routes, views.RouteView{Label: "Dish " + named("d", dish), Field: "dish_id", ID: dish})
		}
		v.Stations = append(v.Stations, sv)
	}
	render(w, r, status, views.StationsPage(v))
}

// stationCommand is one of the stations' command URIs, for managers:
// decided on the stations stream, then back to the stations page, or the
// page again with the reason next to the form.
func (d Deps) stationCommand(form func(r *http.Request) string, build func(ctx context.Context, r *http.Request, in input, id uuid.UUID) (kitchen.StationCommand, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		in, err := readInput(w, r)
		if err != nil {
			fail(w, r, err)
			return
		}
		ctx, cancel := withTimeout(r, 10*time.Second)
		defer cancel()
		actor := staffActor(ctx)
		cmd, err := build(ctx, r, in, in.commandID(actor))
		var res eventstore.Result
		if err == nil {
			res, err = eventstore.Handle(ctx, d.Store, kitchen.StationsStream, kitchen.StationsDecider, in.meta(actor, actor), cmd)
		}
		if err != nil {
			commandFailed(w, r, in, err, func(status int) {
				d.renderStations(w, r.WithContext(ctx), status, formError(r, form(r), in, err))
			})
			return
		}
		if in.json {
			accepted(w, http.StatusAccepted, res, map[string]any{"station_id": stationOf(cmd)})
			return
		}
		redirectAfter(w, r, "/staff/stations", nil)
	}
}

// stationOf is the station a command is about.
func stationOf(cmd kitchen.StationCommand) string {
	switch c := cmd.(type) {
	case kitchen.AddStation:
		return c.StationID
	case kitchen.RenameStation:
		return c.StationID
	case kitchen.RemoveStation:
		return c.StationID
	case kitchen.RouteCategory:
		return c.StationID
	case kitchen.RouteDish:
		return c.StationID
	case kitchen.Unroute:
		return c.StationID
	}
	return ""
}

// stationInURL is the station the URL names; an id no station can have
// answers 404, as does one no station has (decided by the stations).
func stationInURL(r *http.Request) (string, error) {
	id := chi.URLParam(r, "stationID")
	if !dishID.MatchString(id) {
		return "", domain.NotFound("There is no such station.")
	}
	return id, nil
}

func stationForm(r *http.Request) string { return "station-" + chi.URLParam(r, "stationID") }

// addStation adds a station; the command's id gives the station's id its
// unique part.
func (d Deps) addStation(w http.ResponseWriter, r *http.Request) {
	d.stationCommand(fixedForm("add-station"), func(_ context.Context, _ *http.Request, in input, id uuid.UUID) (kitchen.StationCommand, error) {
		stationID := strings.TrimPrefix(menu.Slug(in.values["name"])+"-"+id.String()[:6], "-")
		return kitchen.AddStation{StationID: stationID, Name: in.values["name"]}, nil
	})(w, r)
}

// onStation builds a command on the station in the URL.
func (d Deps) onStation(build func(ctx context.Context, station string, in input) (kitchen.StationCommand, error)) http.HandlerFunc {
	return d.stationCommand(stationForm, func(ctx context.Context, r *http.Request, in input, _ uuid.UUID) (kitchen.StationCommand, error) {
		id, err := stationInURL(r)
		if err != nil {
			return nil, err
		}
		return build(ctx, id, in)
	})
}

func (d Deps) renameStation(w http.ResponseWriter, r *http.Request) {
	d.onStation(func(_ context.Context, id string, in input) (kitchen.StationCommand, error) {
		return kitchen.RenameStation{StationID: id, Name: in.values["name"]}, nil
	})(w, r)
}

func (d Deps) removeStation(w http.ResponseWriter, r *http.Request) {
	d.onStation(func(_ context.Context, id string, _ input) (kitchen.StationCommand, error) {
		return kitchen.RemoveStation{StationID: id}, nil
	})(w, r)
}

func (d Deps) routeCategory(w http.ResponseWriter, r *http.Request) {
	d.onStation(func(ctx context.Context, id string, in input) (kitchen.StationCommand, error) {
		category := strings.TrimSpace(in.values["category_id"])
		categories, err := d.Menus.Categories(ctx)
		if err != nil {
			return nil, err
		}
		if category != "" && !slices.ContainsFunc(categories, func(c projections.Category) bool { return c.ID == category }) {
			return nil, domain.Invalid("category_id", "Choose a category of the menu.")
		}
		return kitchen.RouteCategory{StationID: id, CategoryID: category}, nil
	})(w, r)
}

func (d Deps) routeDish(w http.ResponseWriter, r *http.Request) {
	d.onStation(func(ctx context.Context, id string, in input) (kitchen.StationCommand, error) {
		dish := strings.TrimSpace(in.values["dish_id"])
		dishes, err := d.listed(ctx, true)
		if err != nil {
			return nil, err
		}
		if dish != "" && !slices.ContainsFunc(dishes, func(it projections.MenuItem) bool { return it.ItemID == dish }) {
			return nil, domain.Invalid("dish_id", "Choose a dish of the menu.")
		}
		return kitchen.RouteDish{StationID: id, DishID: dish}, nil
	})(w, r)
}

func (d Deps) unroute(w http.ResponseWriter, r *http.Request) {
	d.onStation(func(_ context.Context, id string, in input) (kitchen.StationCommand, error) {
		return kitchen.Unroute{StationID: id, CategoryID: strings.TrimSpace(in.values["category_id"]), DishID: strings.TrimSpace(in.values["dish_id"])}, nil
	})(w, r)
}
