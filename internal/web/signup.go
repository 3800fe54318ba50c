package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/domain/customers"
	"restaurant/internal/accounts"
	"restaurant/internal/eventstore"
	"restaurant/views"
)

// errEmailTaken is a sign-up with an email another account holds.
var errEmailTaken = domain.Invalid("email", "This email already has an account.")

func (d Deps) showSignUp(w http.ResponseWriter, r *http.Request) {
	if signedInID(r.Context()) != "" {
		http.Redirect(w, r, "/account", http.StatusSeeOther)
		return
	}
	d.renderSignUp(w, r, http.StatusOK, nil)
}

func (d Deps) renderSignUp(w http.ResponseWriter, r *http.Request, status int, fe *views.FormError) {
	guest, _ := guestID(r)
	render(w, r, status, views.SignUpPage(views.SignUpView{Nav: d.nav(r.Context(), guest), CommandID: uuid.NewString(), Error: fe}))
}

// signUp opens an account. Everything is checked before anything is
// written; then the email is reserved on its own stream (which makes it
// unique, even for two sign-ups at the same moment), the password is kept,
// hashed, and the customer's stream begins. A sign-up that fails after the
// reservation gives the email back. The guest's orders in this browser come
// into the new account, and the customer is signed in.
func (d Deps) signUp(w http.ResponseWriter, r *http.Request) {
	in, err := readInput(w, r)
	if err != nil {
		fail(w, r, err)
		return
	}
	id, err := d.createCustomer(r.Context(), in)
	if err != nil {
		commandFailed(w, r, in, err, func(status int) {
			delete(in.values, "password")
			d.renderSignUp(w, r, status, formError(r, "sign-up", in, err))
		})
		return
	}
	if err := d.startCustomerSession(w, r, id); err != nil {
		fail(w, r, err)
		return
	}
	if in.json {
		writeJSON(w, http.StatusCreated, "application/json", map[string]any{"customer_id": id, "_links": map[string]link{"account": {Href: "/account"}}})
		return
	}
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

// createCustomer runs a sign-up and returns the new customer's id.
func (d Deps) createCustomer(ctx context.Context, in input) (string, error) {
	commandID := in.commandID("customer-sign-up")
	customerID := uuid.NewSHA1(commandID, []byte("customer")).String()
	signUp := customers.SignUp{CustomerID: customerID, Name: in.values["name"], Email: in.values["email"], Phone: in.values["phone"], At: d.Now().UTC()}
	events, err := customers.Decide(customers.State{}, signUp)
	if err != nil {
		return "", err
	}
	email := events[0].(customers.CustomerSignedUp).Email
	if err := accounts.CheckCustomerPassword(email, in.values["password"]); err != nil {
		return "", err
	}
	hash, err := accounts.HashPassword(in.values["password"])
	if err != nil {
		return "", err
	}
	key, err := d.emailKeys.Key(ctx, email)
	if err != nil {
		return "", err
	}
	meta := func(part string) eventstore.Metadata {
		return eventstore.Metadata{CommandID: uuid.NewSHA1(commandID, []byte(part)), Actor: customerActor(customerID), Request: in.request}
	}
	reservation := customers.EmailStream(key)
	_, err = eventstore.Handle(ctx, d.Store, reservation, customers.ReservationDecider, meta("reserve-email"), customers.ReservationCommand(customers.ReserveEmail{CustomerID: customerID}))
	var de *domain.Error
	if errors.As(err, &de) && de.Code == domain.ECONFLICT {
		return "", errEmailTaken
	}
	if err != nil {
		return "", err
	}
	if err := d.CustomerAccounts.StoreHash(ctx, customerID, hash); err != nil {
		d.releaseEmail(ctx, reservation, customerID, meta("release-email"))
		return "", err
	}
	if _, err := eventstore.Handle(ctx, d.Store, customers.Stream(customerID), customers.Decider, meta("sign-up"), customers.Command(signUp)); err != nil {
		d.releaseEmail(ctx, reservation, customerID, meta("release-email"))
		return "", err
	}
	slog.InfoContext(ctx, "customer signed up", "customer_id", customerID)
	return customerID, nil
}

// releaseEmail gives back a reservation whose sign-up failed.
func (d Deps) releaseEmail(ctx context.Context, stream, customerID string, meta eventstore.Metadata) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := eventstore.Handle(ctx, d.Store, stream, customers.ReservationDecider, meta, customers.ReservationCommand(customers.ReleaseEmail{CustomerID: customerID})); err != nil {
		slog.ErrorContext(ctx, "an email stays reserved for a sign-up that failed", "customer_id", customerID, "error", err)
	}
	if _, err := d.Pool.Exec(ctx, `DELETE FROM customer_credentials WHERE customer_id = $1`, customerID); err != nil {
		slog.ErrorContext(ctx, "a failed sign-up's password stays stored", "customer_id", customerID, "error", err)
	}
}

// startCustomerSession signs a customer in on this browser: a new session
// id, and the browser's guest orders taken into the account.
func (d Deps) startCustomerSession(w http.ResponseWriter, r *http.Request, customerID string) error {
	ctx := r.Context()
	if err := d.CustomerSessions.RenewToken(ctx); err != nil {
		return fmt.Errorf("renew the customer session: %w", err)
	}
	d.CustomerSessions.Put(ctx, customerKey, customerID)
	ensureGuest(w, r) // the browser stays a guest too, for when it signs out
	return d.adoptGuestOrders(r, customerID)
}

// adoptGuestOrders takes the orders the browser's guest opened into the
// customer's account, one event per order on the customer's stream.
func (d Deps) adoptGuestOrders(r *http.Request, customerID string) error {
	guest, ok := guestID(r)
	if !ok {
		return nil
	}
	d.waitFor(r, "orders")
	ctx := r.Context()
	ids, err := d.Customers.GuestOrders(ctx, guest)
	if err != nil {
		return err
	}
	for _, orderID := range ids {
		meta := eventstore.Metadata{
			CommandID: uuid.NewSHA1(idempotencyNamespace, []byte("adopt\x00"+customerID+"\x00"+orderID)),
			Actor:     customerActor(customerID),
		}
		cmd := customers.AdoptGuestOrder{OrderID: orderID, GuestID: guest, At: d.Now().UTC()}
		if _, err := eventstore.Handle(ctx, d.Store, customers.Stream(customerID), customers.Decider, meta, customers.Command(cmd)); err != nil {
			return fmt.Errorf("adopt guest order %s: %w", orderID, err)
		}
	}
	return nil
}
