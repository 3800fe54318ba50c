package web

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
	"restaurant/projections"
	"restaurant/views"
)

// acceptsJSON says whether the client asked for JSON rather than a page.
func acceptsJSON(r *http.Request) bool {
	return wantsJSON(r) || strings.Contains(r.Header.Get("Accept"), "application/json")
}

// render writes a page in one piece, or a clean error if it cannot be made.
func render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		if r.Context().Err() != nil {
			// The request ran out of time (or its client left): the
			// restaurant is busy, nothing is broken.
			w.Header().Set("Retry-After", retryAfter)
			http.Error(w, "The restaurant is busy right now. Please try again in a moment.", http.StatusServiceUnavailable)
			return
		}
		slog.ErrorContext(r.Context(), "render page", "path", r.URL.Path, "err", err)
		http.Error(w, "The page could not be made. Please try again.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// fail answers an error as a problem document for JSON clients and as a page
// for people.
func fail(w http.ResponseWriter, r *http.Request, err error) {
	if acceptsJSON(r) {
		writeProblem(w, r, err)
		return
	}
	status := statusOf(err)
	p := problemOf(r, err, status)
	setRetryAfter(w, err, status)
	render(w, r, status, views.ErrorPage(p.Title, p.Detail))
}

// commandFailed answers a command that failed: JSON clients and errors no
// form can fix get fail; a form the user can correct (422, 409), or a limit
// reached (429), comes back through again, with the status to answer.
func commandFailed(w http.ResponseWriter, r *http.Request, in input, err error, again func(status int)) {
	status := statusOf(err)
	correctable := status == http.StatusUnprocessableEntity || status == http.StatusConflict || status == http.StatusTooManyRequests
	if in.json || !correctable {
		fail(w, r, err)
		return
	}
	setRetryAfter(w, err, status)
	again(status)
}

func notFound(w http.ResponseWriter, r *http.Request) {
	fail(w, r, &requestError{http.StatusNotFound, "There is nothing at this address."})
}

// methodNotAllowed answers 405 with the methods the address does take, in
// Allow, as HTTP asks.
func methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	var allowed []string
	if rctx := chi.RouteContext(r.Context()); rctx != nil && rctx.Routes != nil {
		for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			if rctx.Routes.Match(chi.NewRouteContext(), m, r.URL.Path) {
				allowed = append(allowed, m)
			}
		}
	}
	if slices.Contains(allowed, http.MethodGet) && !slices.Contains(allowed, http.MethodHead) {
		allowed = slices.Insert(allowed, 1, http.MethodHead) // GetHead answers HEAD wherever GET is
	}
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	detail := fmt.Sprintf("%s is not allowed here; this address takes %s.", r.Method, strings.Join(allowed, ", "))
	if !acceptsJSON(r) && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		// A person who opened a button's address: say it in their words.
		detail = "This address is what a button does, not a page to open, so nothing was changed. Go back and use the button."
	}
	fail(w, r, &requestError{http.StatusMethodNotAllowed, detail})
}

// redirectAfter sends a form's poster on with 303 See Other. The page it
// goes to waits for the poster's own write by itself (see waitFor): no
// position travels in the address.
func redirectAfter(w http.ResponseWriter, r *http.Request, target string, extra url.Values) {
	u, _ := url.Parse(target)
	q := u.Query()
	for k, vs := range extra {
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}

// link is a hypermedia control: where a command or resource lives.
type link struct {
	Href   string   `json:"href"`
	Method string   `json:"method,omitempty"`
	Fields []string `json:"fields,omitempty"`
}

// accepted answers a JSON command: 202 with its id and position and what
// next. The id is how the client finds its command in the event log and an
// order's history.
func accepted(w http.ResponseWriter, status int, res eventstore.Result, body map[string]any) {
	if n := len(res.Events); n > 0 {
		body["command_id"] = res.Events[n-1].CommandID.String()
	}
	body["position"] = res.Position
	body["duplicate"] = res.Duplicate
	writeJSON(w, status, "application/json", body)
}

// commandIDs gives each form on a page a fresh idempotency key.
func commandIDs() func() string { return func() string { return uuid.NewString() } }

// nav is the header for a guest or a signed-in customer: their latest
// order, if any, and the account's links.
func (d Deps) nav(ctx context.Context, guest string) views.Nav {
	n := views.Nav{Account: views.AccountSignIn}
	if signedInID(ctx) != "" {
		n.Account = views.AccountSignedIn
	}
	if guest == "" {
		return n
	}
	o, ok, err := d.latestOrder(ctx, guest)
	if err != nil || !ok {
		return n
	}
	n.OrderHref, n.OrderItems, n.OrderTotal = "/orders/"+o.OrderID, o.ItemCount, o.Total.String()
	n.OrderOpen, n.OrderNumber = o.Status == ordering.StatusOpen, o.Number
	return n
}

// latestOrder is the orderer's latest order that is not canceled: for a
// signed-in customer, one they adopted counts too.
func (d Deps) latestOrder(ctx context.Context, orderer string) (projections.Order, bool, error) {
	if orderer != signedInID(ctx) {
		return d.Orders.Latest(ctx, orderer)
	}
	id, ok, err := d.Customers.Latest(ctx, orderer)
	if err != nil || !ok {
		return projections.Order{}, false, err
	}
	o, err := d.Orders.Get(ctx, id)
	return o, err == nil, err
}

// nextPage is the address of the next page of a list: the same filters,
// and where the list goes on from.
func nextPage(path string, q url.Values, key, value string) string {
	next := url.Values{}
	for k, vs := range q {
		next[k] = vs
	}
	next.Set(key, value)
	return path + "?" + next.Encode()
}
