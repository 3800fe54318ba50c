package web

import (
	"cmp"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"restaurant/domain"
	"restaurant/domain/settings"
	"restaurant/domain/staff"
	"restaurant/internal/eventstore"
	"restaurant/views"
)

// showSettings is the managers' settings page: online orders now, the
// opening hours and the closed days.
func (d Deps) showSettings(w http.ResponseWriter, r *http.Request) {
	d.waitFor(r, "settings")
	d.renderSettings(w, r, http.StatusOK, nil)
}

func (d Deps) renderSettings(w http.ResponseWriter, r *http.Request, status int, fe *views.FormError) {
	ordering, s, err := d.orderingShown(r.Context())
	if err != nil {
		fail(w, r, err)
		return
	}
	now := d.localNow()
	v := views.SettingsView{Nav: staffNav(r.Context()), Ordering: ordering, TimeZone: d.Location.String(), HoursSet: s.HoursSet,
		Today: now.Format(settings.DateLayout), Error: fe, CommandID: commandIDs()}
	pace := s.KitchenPace()
	v.Pace = views.PaceView{Parallel: strconv.Itoa(pace.Parallel), DeliveryMinutes: strconv.Itoa(pace.DeliveryMinutes),
		BusyAfter: strconv.Itoa(pace.BusyAfter), StopAfter: strconv.Itoa(pace.StopAfter)}
	stations, err := d.stations(r.Context())
	if err != nil {
		fail(w, r, err)
		return
	}
	_, hasStations := stations.Default()
	v.FireByPrepTime = s.FiresByPrepTime(hasStations)
	switch {
	case s.FireByPrepTimeChosen():
		v.FireByPrepTimeSays = "as a manager set it"
	case hasStations:
		v.FireByPrepTimeSays = "the default in a kitchen of stations"
	default:
		v.FireByPrepTimeSays = "the default in a kitchen without stations"
	}
	for _, day := range settings.Weekdays {
		v.Days = append(v.Days, views.DayHoursView{Label: day.String(), Field: settings.DayField(day), Value: settings.FormatRanges(s.Week[day])})
	}
	if !s.HoursSet {
		for i := range v.Days {
			v.Days[i].Value = "00:00–24:00"
		}
	}
	for _, date := range s.UpcomingClosed(now) {
		day, _ := time.ParseInLocation(settings.DateLayout, date, d.Location)
		v.Closed = append(v.Closed, views.ClosedDayView{Date: date, Label: day.Format("Monday 2 January 2006")})
	}
	if fe != nil && strings.HasPrefix(fe.Form, "closed-") && fe.Form != "closed-day" && !s.ClosedOn(strings.TrimPrefix(fe.Form, "closed-")) {
		fe.Form = "settings" // the day is not on the page: say it at the top
	}
	render(w, r, status, views.SettingsPage(v))
}

// settingsCommand is a command URI on the restaurant's settings: 303 back
// to the page it came from, or that page again with the reason next to the
// form. Pauses come from the kitchen display too (back=kitchen), and a
// cook's always go back there.
func (d Deps) settingsCommand(form func(*http.Request) string, build func(r *http.Request, in input) (settings.Command, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		in, err := readInput(w, r)
		if err != nil {
			fail(w, r, err)
			return
		}
		ctx, cancel := withTimeout(r, 10*time.Second)
		defer cancel()
		actor := staffActor(ctx)
		cmd, err := build(r, in)
		var res eventstore.Result
		if err == nil {
			res, err = eventstore.Handle(ctx, d.Store, settings.Stream, settings.Decider, in.meta(actor, actor), cmd)
		}
		kitchenSide := in.values["back"] == "kitchen" || signedIn(ctx).Role != staff.Manager
		if err != nil {
			commandFailed(w, r, in, err, func(status int) {
				if kitchenSide {
					d.renderKitchen(w, r.WithContext(ctx), status, problemOf(r, err, status).Detail)
					return
				}
				d.renderSettings(w, r.WithContext(ctx), status, formError(r, form(r), in, err))
			})
			return
		}
		if in.json {
			accepted(w, http.StatusAccepted, res, map[string]any{"_links": map[string]link{"settings": {Href: "/staff/settings"}}})
			return
		}
		if kitchenSide {
			redirectAfter(w, r, "/kitchen", nil)
			return
		}
		redirectAfter(w, r, "/staff/settings", nil)
	}
}

func fixedSettingsForm(name string) func(*http.Request) string {
	return func(*http.Request) string { return name }
}

func (d Deps) pauseOnlineOrders(w http.ResponseWriter, r *http.Request) {
	d.settingsCommand(fixedSettingsForm("pause"), func(_ *http.Request, in input) (settings.Command, error) {
		return pauseCommand(in, d.localNow())
	})(w, r)
}

// pauseCommand reads a pause button: minutes, or until-resumed.
func pauseCommand(in input, at time.Time) (settings.PauseOnlineOrders, error) {
	raw := strings.TrimSpace(in.values["minutes"])
	if raw == "until-resumed" {
		return settings.PauseOnlineOrders{At: at}, nil
	}
	minutes, err := strconv.Atoi(raw)
	if err != nil || minutes < 1 {
		return settings.PauseOnlineOrders{}, domain.Invalid("minutes", "Choose how long to pause online orders: a number of minutes, or until resumed.")
	}
	return settings.PauseOnlineOrders{For: time.Duration(minutes) * time.Minute, At: at}, nil
}

func (d Deps) resumeOnlineOrders(w http.ResponseWriter, r *http.Request) {
	d.settingsCommand(fixedSettingsForm("pause"), func(*http.Request, input) (settings.Command, error) {
		return settings.ResumeOnlineOrders{At: d.localNow()}, nil
	})(w, r)
}

func (d Deps) setOpeningHours(w http.ResponseWriter, r *http.Request) {
	d.settingsCommand(fixedSettingsForm("hours"), func(_ *http.Request, in input) (settings.Command, error) {
		return openingHoursCommand(in)
	})(w, r)
}

// openingHoursCommand reads the week's form: one field a day. Every day's
// mistake is told at once, a day that cannot be read and a day whose hours
// break a rule alike.
func openingHoursCommand(in input) (settings.SetOpeningHours, error) {
	var week settings.Week
	unreadable := map[string]string{}
	for _, day := range settings.Weekdays {
		ranges, err := settings.ParseRanges(day, in.values[settings.DayField(day)])
		var de *domain.Error
		if errors.As(err, &de) {
			unreadable[de.Field] = de.Message
		}
		week[day] = ranges
	}
	cmd := settings.SetOpeningHours{Week: week}
	if len(unreadable) == 0 {
		return cmd, nil
	}
	broken := map[string]string{}
	if _, err := settings.Decide(settings.State{}, cmd); err != nil {
		var de *domain.Error
		if errors.As(err, &de) {
			for _, f := range de.FieldErrors() {
				broken[f.Field] = f.Message
			}
		}
	}
	var problems []domain.FieldError
	for _, day := range settings.Weekdays {
		field := settings.DayField(day)
		if msg := cmp.Or(unreadable[field], broken[field]); msg != "" {
			problems = append(problems, domain.FieldError{Field: field, Message: msg})
		}
	}
	return cmd, domain.Fields(problems...)
}

func (d Deps) setPace(w http.ResponseWriter, r *http.Request) {
	d.settingsCommand(fixedSettingsForm("pace"), func(_ *http.Request, in input) (settings.Command, error) {
		var p settings.Pace
		var problems []domain.FieldError
		for _, f := range []struct {
			field, says string
			into        *int
		}{
			{"parallel", "Enter how many orders the kitchen cooks at once, as a whole number.", &p.Parallel},
			{"delivery_minutes", "Enter the minutes a delivery takes, as a whole number.", &p.DeliveryMinutes},
			{"busy_after", "Enter the minutes of wait from which the kitchen is busy, as a whole number.", &p.BusyAfter},
			{"stop_after", "Enter the minutes of wait from which no order is taken, as a whole number (0 for never).", &p.StopAfter},
		} {
			n, err := strconv.Atoi(strings.TrimSpace(in.values[f.field]))
			if err != nil {
				problems = append(problems, domain.FieldError{Field: f.field, Message: f.says})
			}
			*f.into = n
		}
		return settings.SetPace{Pace: p}, domain.Fields(problems...)
	})(w, r)
}

// setFireByPrepTime turns fire by prep time on or off: form or JSON field
// fire_by_prep_time, "on" or "off".
func (d Deps) setFireByPrepTime(w http.ResponseWriter, r *http.Request) {
	d.settingsCommand(fixedSettingsForm("firing"), func(_ *http.Request, in input) (settings.Command, error) {
		switch strings.TrimSpace(in.values["fire_by_prep_time"]) {
		case "on":
			return settings.SetFireByPrepTime{On: true}, nil
		case "off":
			return settings.SetFireByPrepTime{On: false}, nil
		}
		return nil, domain.Invalid("fire_by_prep_time", "Choose whether the kitchen fires dishes by their prep time: on or off.")
	})(w, r)
}

func (d Deps) addClosedDay(w http.ResponseWriter, r *http.Request) {
	d.settingsCommand(fixedSettingsForm("closed-day"), func(_ *http.Request, in input) (settings.Command, error) {
		return settings.AddClosedDay{Date: strings.TrimSpace(in.values["date"]), At: d.localNow()}, nil
	})(w, r)
}

func (d Deps) removeClosedDay(w http.ResponseWriter, r *http.Request) {
	d.settingsCommand(func(r *http.Request) string { return "closed-" + chi.URLParam(r, "date") },
		func(r *http.Request, _ input) (settings.Command, error) {
			date := chi.URLParam(r, "date")
			if _, err := time.Parse(settings.DateLayout, date); err != nil {
				return nil, &requestError{http.StatusNotFound, "There is no such day."}
			}
			return settings.RemoveClosedDay{Date: date}, nil
		})(w, r)
}
