package web

import (
	"log/slog"
	"net/http"
	"time"

	"restaurant/internal/eventstore"
	"restaurant/internal/metrics"
)

// Session consistency: a client (a guest's browser, a staff member) always
// sees its own acknowledged commands, whatever it reads next and in
// whichever tab or process. The server, not the URL, remembers where each
// client's last write stands in the global order: the commands table keeps
// every written command with its actor (see eventstore.LastWrite). Every
// read waits, bounded, until the read models it shows have got that far;
// everyone else's writes arrive as the projections apply them.

// ownWritesWait bounds how long a read waits for the client's own writes.
const ownWritesWait = time.Second

// writers are the actors a request speaks for: its guest, its signed-in
// customer and its staff member, when it has them. A staff member reading a guest's page (outside
// the session middleware) is found from the session cookie.
func (d Deps) writers(r *http.Request) []string {
	var actors []string
	if guest, ok := guestID(r); ok {
		actors = append(actors, guestActor(guest))
	}
	if id := signedInID(r.Context()); id != "" {
		actors = append(actors, customerActor(id))
	}
	if m := signedIn(r.Context()); m.Username != "" {
		return append(actors, staffActor(r.Context()))
	}
	if d.Sessions == nil {
		return actors
	}
	if c, err := r.Cookie(d.Sessions.Cookie.Name); err != nil || c.Value == "" {
		return actors
	}
	ctx, _, err := d.readSession(r.Context(), r)
	if err != nil {
		return actors
	}
	if username := d.Sessions.GetString(ctx, staffKey); username != "" {
		actors = append(actors, "staff:"+username)
	}
	return actors
}

// recentWrite is how new a client's write must be for its reads to skip
// the copies of read models kept in memory (for at most menuFreshFor).
const recentWrite = 2 * time.Second

// lastWrite is where the client's latest acknowledged write stands (zero if
// it never wrote), and whether it is recent.
func (d Deps) lastWrite(r *http.Request) (last eventstore.Cursor, recent bool, err error) {
	for _, actor := range d.writers(r) {
		c, rec, err := d.Store.LastWrite(r.Context(), actor, recentWrite)
		if err != nil {
			return eventstore.Cursor{}, false, err
		}
		if last.Less(c) {
			last = c
		}
		recent = recent || rec
	}
	return last, recent, nil
}

// waitFor waits, about a second at most, until the read models a page reads
// show the client's own last write. It says whether the client wrote a
// moment ago, so that a page can skip a copy kept in memory for everyone.
func (d Deps) waitFor(r *http.Request, readModels ...string) (wroteRecently bool) {
	if d.Runner == nil || d.Store == nil {
		return false
	}
	c, recent, err := d.lastWrite(r)
	if err != nil {
		slog.WarnContext(r.Context(), "read-your-writes: the client's last write is unknown", "error", err)
		return false
	}
	if c == (eventstore.Cursor{}) {
		return false
	}
	for _, name := range readModels {
		reached, err := d.Runner.WaitFor(r.Context(), name, c, ownWritesWait)
		switch {
		case err != nil:
			slog.WarnContext(r.Context(), "read-your-writes wait failed", "projection", name, "error", err)
			metrics.OwnWritesWaits.WithLabelValues("error").Inc()
		case !reached:
			slog.WarnContext(r.Context(), "read model is more than a second behind", "projection", name, "waiting_for", c.Position)
			metrics.OwnWritesWaits.WithLabelValues("behind").Inc()
		default:
			metrics.OwnWritesWaits.WithLabelValues("reached").Inc()
		}
	}
	return recent
}
