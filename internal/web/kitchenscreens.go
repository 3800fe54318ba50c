package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"restaurant/domain"
	"restaurant/domain/kitchen"
	"restaurant/internal/live"
	"restaurant/projections"
	"restaurant/views"
)

// boardScreen is which of the kitchen's screens a request is for: the
// whole kitchen's display, one station's (/kitchen?station=…), or the
// expo's (/kitchen/expo). A ticket's buttons carry it in their addresses,
// so a tap is answered with the screen it came from.
type boardScreen struct {
	station string // a station's id; "" for the whole kitchen
	expo    bool
}

// expoPath is the expo's screen.
const expoPath = "/kitchen/expo"

// screenOf reads which screen a request is for.
func screenOf(r *http.Request) boardScreen {
	q := r.URL.Query()
	return boardScreen{station: q.Get("station"), expo: r.URL.Path == expoPath || q.Get("screen") == "expo"}
}

// query is the screen as the query of a button's address.
func (s boardScreen) query() string {
	switch {
	case s.expo:
		return "?screen=expo"
	case s.station != "":
		return "?station=" + url.QueryEscape(s.station)
	}
	return ""
}

// page is the screen's address.
func (s boardScreen) page() string {
	switch {
	case s.expo:
		return expoPath
	case s.station != "":
		return stationScreen(s.station)
	}
	return "/kitchen"
}

// liveHref is where the screen's socket follows the kitchen: the same
// topic for every screen, the screen's own query saying how it renders.
func (s boardScreen) liveHref() string {
	href := live.Href(live.KitchenTopic())
	if q := s.query(); q != "" {
		href += "&" + q[1:]
	}
	return href
}

// screenLinks are the kitchen's screens, for the display's header.
func screenLinks(stations kitchen.Stations, current boardScreen) []views.ScreenLink {
	links := []views.ScreenLink{{Name: "Whole kitchen", Href: "/kitchen", Current: current == boardScreen{}}}
	for _, st := range stations.List() {
		links = append(links, views.ScreenLink{Name: st.Name, Href: stationScreen(st.ID), Current: current.station == st.ID})
	}
	return append(links, views.ScreenLink{Name: "Expo", Href: expoPath, Current: current.expo})
}

// onStation keeps, of each ticket, the dishes the station cooks, and only
// the tickets that have one.
func onStation(tickets []projections.Ticket, stations kitchen.Stations, id string) []projections.Ticket {
	var out []projections.Ticket
	for _, t := range tickets {
		t.Items = slices.DeleteFunc(slices.Clone(t.Items), func(it kitchen.Item) bool { return !stations.Cooks(id, it.Station) })
		if len(t.Items) > 0 {
			out = append(out, t)
		}
	}
	return out
}

// forStation fits the tickets' views to a station's screen: a ticket's own
// buttons stay only on a ticket whose dishes are bumped whole (opened
// before dishes were marked one by one), since a station marks its dishes
// and the expo hands over; every button answers with the station's screen.
func forStation(tvs []views.TicketView, tickets []projections.Ticket, screen boardScreen) {
	byLine := map[string]bool{}
	for _, t := range tickets {
		byLine[t.TicketID] = slices.ContainsFunc(t.Items, func(it kitchen.Item) bool { return it.LineID != "" })
	}
	for i := range tvs {
		if byLine[tvs[i].ID] {
			tvs[i].Buttons = nil
		}
		for j := range tvs[i].Buttons {
			tvs[i].Buttons[j].Href += screen.query()
		}
		for j := range tvs[i].Items {
			for k := range tvs[i].Items[j].Buttons {
				tvs[i].Items[j].Buttons[k].Href += screen.query()
			}
			for k := range tvs[i].Items[j].Then {
				tvs[i].Items[j].Then[k].Href += screen.query()
			}
		}
	}
}

// showExpo is the expo's screen.
func (d Deps) showExpo(w http.ResponseWriter, r *http.Request) {
	d.waitFor(r, kitchenReadModels...)
	d.renderKitchen(w, r, http.StatusOK, "")
}

// expoTickets are the open and ready tickets, oldest first, each with its
// stations' progress and, once ready, Recall (to every station that took
// part) and Hand over.
func (d Deps) expoTickets(tickets []projections.Ticket, stations kitchen.Stations, now time.Time) []views.ExpoTicketView {
	var out []views.ExpoTicketView
	for _, t := range tickets {
		if t.Status == kitchen.StatusCanceled {
			continue
		}
		tv := d.ticketView(t, now)
		tv.Buttons = nil
		state := t.State()
		href := "/kitchen/tickets/" + url.PathEscape(t.TicketID) + "/commands/"
		for _, c := range kitchen.Allowed(state, now) {
			b := ticketButtons[c]
			switch c {
			case kitchen.CmdRecall:
				b.Href = href + "recall-to-stations" + boardScreen{expo: true}.query()
			case kitchen.CmdHandOver:
				b.Href = href + b.Command + boardScreen{expo: true}.query()
			default:
				continue
			}
			tv.Buttons = append(tv.Buttons, b)
		}
		out = append(out, views.ExpoTicketView{Ticket: tv, Progress: progress(t, stations), Held: expoHeld(tv, t, stations)})
	}
	return out
}

// expoHeld are the dishes of a ticket held by fire by prep time, each with
// its station, its fire time and Fire now.
func expoHeld(tv views.TicketView, t projections.Ticket, stations kitchen.Stations) []views.TicketItemView {
	var held []views.TicketItemView
	for i, it := range tv.Items {
		if !it.Held {
			continue
		}
		if st := t.Items[i].Station; st != "" {
			it.Station = stationName(stations, st)
		}
		it.Then, it.Buttons = nil, slices.Clone(it.Buttons)
		for j := range it.Buttons {
			it.Buttons[j].Href += boardScreen{expo: true}.query()
		}
		held = append(held, it)
	}
	return held
}

// progress says how far each station that has a dish of the ticket got:
// "Pizza oven 1/2", "Bar done"; a ready ticket is done everywhere.
func progress(t projections.Ticket, stations kitchen.Stations) string {
	var order []string
	done, total := map[string]int{}, map[string]int{}
	for _, it := range t.Items {
		st := it.Station
		if def, ok := stations.Default(); ok && stations.Cooks(def.ID, st) {
			st = def.ID
		}
		if _, seen := total[st]; !seen {
			order = append(order, st)
		}
		total[st]++
		if t.Status == kitchen.StatusReady || it.LineID != "" && slices.Contains(t.DoneLines, it.LineID) {
			done[st]++
		}
	}
	parts := make([]string, len(order))
	for i, st := range order {
		name := stationName(stations, st)
		if done[st] == total[st] {
			parts[i] = name + " done"
		} else {
			parts[i] = fmt.Sprintf("%s %d/%d", name, done[st], total[st])
		}
	}
	return strings.Join(parts, " · ")
}

// screenBoard fills the view for the screen: the whole kitchen's board, a
// station's, or the expo's tickets.
func (d Deps) screenBoard(ctx context.Context, v *views.KitchenView, screen boardScreen, tickets []projections.Ticket, now time.Time) error {
	stations, err := d.stations(ctx)
	if err != nil {
		return err
	}
	v.Screens, v.LiveHref = screenLinks(stations, screen), screen.liveHref()
	switch {
	case screen.expo:
		v.Screen, v.Expo = "Expo", d.expoTickets(tickets, stations, now)
		return nil
	case screen.station != "":
		st, ok := stations.Find(screen.station)
		if !ok {
			return domain.NotFound("There is no such station.")
		}
		v.Screen = st.Name
		tickets = onStation(tickets, stations, st.ID)
	}
	v.Open, v.Done, v.AllDay = d.board(tickets, now)
	if screen.station != "" {
		forStation(v.Open, tickets, screen)
		forStation(v.Done, tickets, screen)
	}
	return nil
}

// checkStation answers 404 for a station's screen of a station there is
// not, before its socket follows the kitchen.
func (d Deps) checkStation(ctx context.Context, screen boardScreen) error {
	if screen.station == "" {
		return nil
	}
	stations, err := d.stations(ctx)
	if err != nil {
		return err
	}
	if _, ok := stations.Find(screen.station); !ok {
		return domain.NotFound("There is no such station.")
	}
	return nil
}

// recallToStations is the expo's recall: the ticket comes back on every
// station that made one of its dishes, each dish undone.
func (d Deps) recallToStations(w http.ResponseWriter, r *http.Request) {
	d.ticketCommand(func(_ input, at time.Time) kitchen.Command { return kitchen.RecallTicket{At: at, Redo: true} })(w, r)
}
