package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/domain/customers"
	"restaurant/internal/accounts"
	"restaurant/internal/eventstore"
	"restaurant/views"
)

// eraseCustomer forgets a customer for good, in one transaction: the
// CustomerErased event, the release of their email, and the deletion of the
// keys that seal their personal data (theirs, and those of the guests whose
// orders they adopted), their password and their sign-in failures. The log
// keeps every event; what was personal in them can no longer be read, by
// this process (Forget) or a rebuild. The read models follow the event.
func (d Deps) eraseCustomer(ctx context.Context, customerID string, meta func(part string) eventstore.Metadata) error {
	c, _, err := eventstore.Load(ctx, d.Store, customers.Stream(customerID), customers.Decider)
	if err != nil {
		return err
	}
	if c.Status() != customers.StatusActive {
		return domain.NotFound("There is no such customer.")
	}
	emailKey, err := d.emailKeys.Key(ctx, c.Email())
	if err != nil {
		return err
	}
	tx, err := d.Pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("erase customer: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	res, err := eventstore.HandleTx(ctx, tx, d.Store, customers.Stream(customerID), customers.Decider, meta("erase"),
		customers.Command(customers.Erase{At: d.Now().UTC()}))
	if err != nil {
		return err
	}
	var subjects []string
	for _, e := range res.Events {
		if erased, ok := e.Event.(customers.CustomerErased); ok {
			subjects = erased.ErasedSubjects()
		}
	}
	if subjects == nil {
		return domain.Conflict("The customer was erased already.")
	}
	if _, err := eventstore.HandleTx(ctx, tx, d.Store, customers.EmailStream(emailKey), customers.ReservationDecider, meta("release-email"),
		customers.ReservationCommand(customers.ReleaseEmail{CustomerID: customerID})); err != nil {
		return err
	}
	if err := d.Store.Erase(ctx, tx, subjects); err != nil {
		return err
	}
	if err := accounts.ForgetCustomer(ctx, tx, customerID, emailKey); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("erase customer: %w", err)
	}
	d.Store.Forget(subjects)
	d.Store.Committed()
	slog.InfoContext(ctx, "customer erased", "customer_id", customerID, "keys", len(subjects))
	return nil
}

// eraseMeta names the parts of one erasure after its command id, so that a
// retried form erases once.
func eraseMeta(in input, scope, actor string) func(part string) eventstore.Metadata {
	base := in.meta(scope, actor)
	return func(part string) eventstore.Metadata {
		m := base
		m.CommandID = uuid.NewSHA1(base.CommandID, []byte(part))
		return m
	}
}

// eraseOwnAccount is the customer's right to be forgotten, confirmed with
// their password (with the brakes on guessing of a sign-in). The browser is
// signed out and stays an anonymous guest.
func (d Deps) eraseOwnAccount(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := withTimeout(r, 15*time.Second)
	defer cancel()
	id := signedInID(ctx)
	in, err := readInput(w, r)
	if err != nil {
		fail(w, r, err)
		return
	}
	c, _, err := eventstore.Load(ctx, d.Store, customers.Stream(id), customers.Decider)
	if err == nil && c.Status() != customers.StatusActive {
		err = domain.NotFound("This account was erased already.")
	}
	if err == nil {
		err = d.confirmCustomerPassword(ctx, w, r, c, in.values["password"])
	}
	if err == nil {
		err = d.eraseCustomer(ctx, id, eraseMeta(in, id, customerActor(id)))
	}
	if err != nil {
		commandFailed(w, r, in, err, func(status int) {
			d.renderCustomerAccount(w, r, status, formError(r, "erase", in, err))
		})
		return
	}
	if err := d.CustomerSessions.Destroy(ctx); err != nil {
		fail(w, r, err)
		return
	}
	newGuest(w, r) // the guest the browser was went with the account
	if in.json {
		writeJSON(w, http.StatusOK, "application/json", map[string]any{"erased": true, "_links": map[string]link{"menu": {Href: "/"}}})
		return
	}
	http.Redirect(w, r, "/?erased=1", http.StatusSeeOther)
}

// confirmCustomerPassword checks the customer's password as a sign-in would, its
// failures counted and braked the same way.
func (d Deps) confirmCustomerPassword(ctx context.Context, w http.ResponseWriter, r *http.Request, c customers.State, password string) error {
	if password == "" {
		return domain.Invalid("password", "Type your password to confirm.")
	}
	key, err := d.emailKeys.Key(ctx, c.Email())
	if err != nil {
		return err
	}
	err = d.CustomerAccounts.SignIn(ctx, c.CustomerID(), key, password, clientAddress(r))
	var throttled *accounts.ThrottledError
	switch {
	case errors.As(err, &throttled):
		w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(throttled.Wait.Seconds()))))
		return fmt.Errorf("%w: %w", throttled, domain.Invalid("password",
			"Too many wrong passwords. Please wait %s and try again.", waitInWords(throttled.Wait)))
	case errors.Is(err, accounts.ErrWrongCredentials):
		return domain.Invalid("password", "That is not your password.")
	}
	return err
}

// showStaffCustomers finds a customer by email, for a manager acting on
// their request.
func (d Deps) showStaffCustomers(w http.ResponseWriter, r *http.Request) {
	d.renderStaffCustomers(w, r, http.StatusOK, r.URL.Query().Get("email"), nil)
}

func (d Deps) renderStaffCustomers(w http.ResponseWriter, r *http.Request, status int, typed string, fe *views.FormError) {
	v := views.StaffCustomersView{Nav: staffNav(r.Context()), Email: strings.TrimSpace(typed), Error: fe,
		Erased: r.URL.Query().Get("erased") == "1", CommandID: commandIDs()}
	if v.Email != "" {
		v.Searched = true
		found, err := d.findCustomer(r, v.Email)
		if err != nil {
			fail(w, r, err)
			return
		}
		v.Found = found
	}
	render(w, r, status, views.StaffCustomersPage(v))
}

// findCustomer is the active customer with this email, nil for none.
func (d Deps) findCustomer(r *http.Request, typed string) (*views.StaffCustomerView, error) {
	email, err := customers.NormalizeEmail(typed)
	if err != nil {
		return nil, nil
	}
	holder, _, err := d.emailHolder(r, email)
	if err != nil || holder == "" {
		return nil, err
	}
	c, _, err := eventstore.Load(r.Context(), d.Store, customers.Stream(holder), customers.Decider)
	if err != nil {
		return nil, err
	}
	return &views.StaffCustomerView{ID: holder, Name: c.Name(), Email: c.Email(), Phone: c.Phone(),
		SignedUp: c.SignedUpAt().Local().Format("2 Jan 2006"), Addresses: len(c.Addresses())}, nil
}

// eraseCustomerOnRequest is a manager erasing a customer who asked them to.
func (d Deps) eraseCustomerOnRequest(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := withTimeout(r, 15*time.Second)
	defer cancel()
	id := chi.URLParam(r, "customerID")
	in, err := readInput(w, r)
	if err != nil {
		fail(w, r, err)
		return
	}
	if _, perr := uuid.Parse(id); perr != nil {
		err = domain.NotFound("There is no such customer.")
	} else if in.values["confirm"] != "yes" {
		err = domain.Invalid("confirm", "Tick the box to confirm that the customer asked to be erased.")
	}
	c, _, lerr := eventstore.Load(ctx, d.Store, customers.Stream(id), customers.Decider)
	if err == nil {
		err = lerr
	}
	if err == nil {
		actor := "staff:" + signedIn(ctx).Username
		err = d.eraseCustomer(ctx, id, eraseMeta(in, actor, actor))
	}
	if err != nil {
		commandFailed(w, r, in, err, func(status int) {
			d.renderStaffCustomers(w, r, status, c.Email(), formError(r, "erase", in, err))
		})
		return
	}
	if in.json {
		writeJSON(w, http.StatusOK, "application/json", map[string]any{"erased": true, "_links": map[string]link{"customers": {Href: "/staff/customers"}}})
		return
	}
	http.Redirect(w, r, "/staff/customers?"+url.Values{"erased": {"1"}}.Encode(), http.StatusSeeOther)
}
