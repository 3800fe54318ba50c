package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"restaurant/domain/kitchen"
	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
	"restaurant/views"
)

// eventsPerPage is how many events a page of the log shows.
const eventsPerPage = 100

// showEventLog is every event by global position, newest first, filtered by
// type, stream and time, keyset-paged by position.
func (d Deps) showEventLog(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := views.EventLogView{Nav: staffNav(r.Context()), Type: q.Get("type"), Stream: q.Get("stream"), From: q.Get("from"), To: q.Get("to")}
	f := eventstore.LogFilter{Type: strings.TrimSpace(v.Type), Stream: strings.TrimSpace(v.Stream)}
	var problems []string
	for _, text := range []string{f.Type, f.Stream} {
		if !utf8.ValidString(text) || strings.ContainsRune(text, 0) || len(text) > 200 {
			problems = append(problems, "Types and streams are plain names, like ordering.OrderPlaced or order-.")
			f.Type, f.Stream = "", ""
			break
		}
	}
	for _, tf := range []struct {
		in  string
		out *time.Time
	}{{v.From, &f.From}, {v.To, &f.To}} {
		if tf.in == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02T15:04", tf.in, time.Local)
		if err != nil {
			problems = append(problems, "Times look like 2026-11-25T19:30.")
			continue
		}
		*tf.out = t
	}
	var before int64
	if b := q.Get("before"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n < 1 {
			problems = append(problems, "That page does not exist; showing the newest events.")
		} else {
			before = n
		}
	}
	status := http.StatusOK
	if len(problems) > 0 {
		v.Message = strings.Join(problems, " ")
		status = http.StatusUnprocessableEntity
	}
	events, err := d.Store.Log(r.Context(), f, before, eventsPerPage)
	if err != nil {
		fail(w, r, err)
		return
	}
	for _, e := range events {
		var raw bytes.Buffer
		_ = json.Indent(&raw, e.Data, "", "  ")
		row := views.LogRow{Position: e.Position, Time: e.RecordedAt.Local().Format("2 Jan 15:04:05"), Type: e.Type,
			Stream: e.StreamID, Who: describeActor(e.Actor), Raw: raw.String()}
		for _, prefix := range []string{ordering.StreamPrefix, kitchen.StreamPrefix} {
			if id, ok := strings.CutPrefix(e.StreamID, prefix); ok {
				row.History = "/staff/orders/" + id + "/history"
			}
		}
		v.Rows = append(v.Rows, row)
	}
	if len(events) == eventsPerPage {
		v.NextHref = nextPage("/staff/events", q, "before", strconv.FormatInt(events[len(events)-1].Position, 10))
	}
	render(w, r, status, views.EventLogPage(v))
}
