package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5/pgxpool"

	"restaurant/domain/customers"
	"restaurant/internal/eventstore"
	"restaurant/internal/live"
	"restaurant/projections"
)

// customerKey is where a customer session keeps who signed in.
const customerKey = "customer"

// NewCustomerSessions makes the customers' session manager: a cookie of its
// own (customer_session), kept in the same PostgreSQL table as staff
// sessions, and ended the same way. Call the returned function at shutdown.
func NewCustomerSessions(pool *pgxpool.Pool) (*scs.SessionManager, func()) {
	s, stop := NewSessions(pool)
	s.Lifetime = 30 * 24 * time.Hour
	s.IdleTimeout = 0 // saved only when it changes: at sign-in and sign-out
	s.Cookie.Name = "customer_session"
	s.Cookie.Persist = true
	return s, stop
}

type customerCtxKey struct{}

// signedInID is the customer the request's session says is signed in, ""
// for none.
func signedInID(ctx context.Context) string {
	id, _ := ctx.Value(customerCtxKey{}).(string)
	return id
}

// customerActor names a signed-in customer in the event log, as guestActor
// names a guest: "customer:<customer id>".
func customerActor(id string) string { return "customer:" + id }

// withCustomer reads the customer session, if the request has one, and
// keeps who is signed in on the request's context for every handler. It
// only reads: the account's routes save the session (loadSessions), and the
// rest never change it.
func (d Deps) withCustomer(next http.Handler) http.Handler {
	if d.CustomerSessions == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(d.CustomerSessions.Cookie.Name)
		if err != nil || c.Value == "" || !readsCustomer(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		ctx, err := d.CustomerSessions.Load(r.Context(), c.Value)
		if err != nil {
			fail(w, r, err)
			return
		}
		id := d.CustomerSessions.GetString(ctx, customerKey)
		if id != "" {
			// An erased customer's other browsers are signed out: the
			// session names someone who no longer exists.
			erased, err := d.Store.Erased(ctx, id)
			if err != nil {
				fail(w, r, err)
				return
			}
			if erased {
				id = ""
			}
		}
		if r.URL.Path == live.Path {
			ctx = r.Context() // the socket outlives the session read: keep only who it is
		}
		ctx = context.WithValue(ctx, customerCtxKey{}, id)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// readsCustomer says whether a path's answer can depend on who is signed
// in: not files, nor the operators' probes, which skip the session read.
func readsCustomer(path string) bool {
	switch path {
	case "/healthz", "/readyz", "/metrics":
		return false
	}
	return !strings.HasPrefix(path, "/static/") && !strings.HasPrefix(path, "/photos/")
}

// orderer is who a request orders as, and the id its new orders are opened
// for: a signed-in customer's id (a UUID), else the browser's guest id
// ("guest-<hash>"). An order's customer id is always one of the two.
func orderer(r *http.Request) (string, bool) {
	if id := signedInID(r.Context()); id != "" {
		return id, true
	}
	return guestID(r)
}

// signedInCustomer is the customer signed in on this request, as the
// customers read model has them (after the request's own writes): false
// when no one is signed in, or the account is gone.
func (d Deps) signedInCustomer(r *http.Request) (projections.Customer, bool, error) {
	id := signedInID(r.Context())
	if id == "" {
		return projections.Customer{}, false, nil
	}
	d.waitFor(r, "customers")
	return d.Customers.Get(r.Context(), id)
}

// customerState is a customer as their stream has them now: the guest
// orders they took into their account, their passkeys, whether they were
// erased. Commands and sign-ins decide on it, never on a read model.
func (d Deps) customerState(ctx context.Context, customerID string) (customers.State, error) {
	s, _, err := eventstore.Load(ctx, d.Store, customers.Stream(customerID), customers.Decider)
	return s, err
}

// adoptedBySignedIn says whether the customer signed in on the request took
// the guest order into their account, as the customers read model has it.
func (d Deps) adoptedBySignedIn(r *http.Request, orderID string) (bool, error) {
	id := signedInID(r.Context())
	if id == "" {
		return false, nil
	}
	return d.Customers.Adopted(r.Context(), id, orderID)
}
