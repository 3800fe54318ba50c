package web

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"restaurant/domain/customers"
	"restaurant/internal/eventstore"
	"restaurant/views"
)

// showCustomerAccount is a signed-in customer's account page.
func (d Deps) showCustomerAccount(w http.ResponseWriter, r *http.Request) {
	d.renderCustomerAccount(w, r, http.StatusOK, nil)
}

func (d Deps) renderCustomerAccount(w http.ResponseWriter, r *http.Request, status int, fe *views.FormError) {
	c, ok, err := d.signedInCustomer(r)
	if err != nil {
		fail(w, r, err)
		return
	}
	if !ok {
		// Signed in as an account that is gone: sign out.
		_ = d.CustomerSessions.Destroy(r.Context())
		http.Redirect(w, r, "/account/sign-in", http.StatusSeeOther)
		return
	}
	v := views.CustomerAccountView{
		Nav: d.nav(r.Context(), c.ID), Name: c.Name, Email: c.Email, Phone: c.Phone,
		Error: fe, CommandID: commandIDs(),
	}
	for _, a := range c.Addresses {
		v.Addresses = append(v.Addresses, views.CustomerAddressView{
			ID: a.ID, Nickname: a.Nickname, Street: a.Street, PostalCode: a.PostalCode,
			City: a.City, Instructions: a.Instructions, Default: a.Default,
		})
	}
	if v.Passkeys, err = d.passkeyViews(r.Context(), c.ID); err != nil {
		fail(w, r, err)
		return
	}
	_, available := d.relyingParty(r)
	v.CanAddPasskey = available && len(v.Passkeys) < customers.MaxPasskeys
	if available && !v.CanAddPasskey {
		v.PasskeysFull = fmt.Sprintf("An account can hold at most %d passkeys; remove one to add another.", customers.MaxPasskeys)
	}
	render(w, r, status, views.CustomerAccountPage(v))
}

// passkeyViews are the customer's passkeys as their account page lists
// them. The table is written with the passkeys' events, not by a
// projection, so it needs no wait for the customer's own writes.
func (d Deps) passkeyViews(ctx context.Context, customerID string) ([]views.CustomerPasskeyView, error) {
	keys, err := d.passkeys.List(ctx, customerID)
	if err != nil {
		return nil, err
	}
	var out []views.CustomerPasskeyView
	for _, k := range keys {
		p := views.CustomerPasskeyView{ID: k.ID, Name: k.Name, AddedOn: k.CreatedAt.UTC().Format("2 Jan 2006"), LastUsed: "never"}
		if !k.LastUsedAt.IsZero() {
			p.LastUsed = k.LastUsedAt.UTC().Format("2 Jan 2006 15:04") + " UTC"
		}
		out = append(out, p)
	}
	return out, nil
}

// customerCommand is one of the account's command URIs: which form its
// errors belong to, and the command it reads from the request.
type customerCommand struct {
	form  func(r *http.Request) string
	build func(r *http.Request, in input) customers.Command
	// run decides and appends the command; nil: on the customer's stream
	// alone (runCustomerCommand).
	run func(ctx context.Context, customerID string, meta eventstore.Metadata, cmd customers.Command) (eventstore.Result, error)
}

// serveCustomer runs a command on the signed-in customer's stream: a form
// gets 303 back to the account, or the page again (422) with what was typed
// and the message beside its field; JSON gets 202 or a problem.
func (d Deps) serveCustomer(cc customerCommand) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := withTimeout(r, 10*time.Second)
		defer cancel()
		id := signedInID(ctx)
		in, err := readInput(w, r)
		if err != nil {
			fail(w, r, err)
			return
		}
		run := cc.run
		if run == nil {
			run = d.runCustomerCommand
		}
		res, err := run(ctx, id, in.meta(id, customerActor(id)), cc.build(r, in))
		if err != nil {
			commandFailed(w, r, in, err, func(status int) {
				d.renderCustomerAccount(w, r, status, formError(r, cc.form(r), in, err))
			})
			return
		}
		if in.json {
			accepted(w, http.StatusAccepted, res, map[string]any{"_links": map[string]link{"account": {Href: "/account"}}})
			return
		}
		http.Redirect(w, r, "/account", http.StatusSeeOther)
	}
}

// runCustomerCommand decides a command on a customer's stream, as that
// customer.
func (d Deps) runCustomerCommand(ctx context.Context, customerID string, meta eventstore.Metadata, cmd customers.Command) (eventstore.Result, error) {
	return eventstore.Handle(ctx, d.Store, customers.Stream(customerID), customers.Decider, meta, cmd)
}

func (d Deps) changeCustomerDetails(w http.ResponseWriter, r *http.Request) {
	d.serveCustomer(customerCommand{form: fixedForm("details"), build: func(_ *http.Request, in input) customers.Command {
		return customers.ChangeDetails{Name: in.values["name"], Phone: in.values["phone"]}
	}})(w, r)
}

func addressForm(r *http.Request) string { return "address-" + chi.URLParam(r, "addressID") }

func (d Deps) addAddress(w http.ResponseWriter, r *http.Request) {
	d.serveCustomer(customerCommand{form: fixedForm("address-new"), build: func(_ *http.Request, in input) customers.Command {
		a := addressFields(in)
		// The address's id follows from the form's command id, so a retried
		// form adds it once.
		a.AddressID = uuid.NewSHA1(in.commandID(signedInID(r.Context())), []byte("address")).String()
		return customers.AddAddress(a)
	}})(w, r)
}

func (d Deps) changeAddress(w http.ResponseWriter, r *http.Request) {
	d.serveCustomer(customerCommand{form: addressForm, build: func(r *http.Request, in input) customers.Command {
		a := addressFields(in)
		a.AddressID = chi.URLParam(r, "addressID")
		return customers.ChangeAddress(a)
	}})(w, r)
}

func (d Deps) removeAddress(w http.ResponseWriter, r *http.Request) {
	d.serveCustomer(customerCommand{form: addressForm, build: func(r *http.Request, _ input) customers.Command {
		return customers.RemoveAddress{AddressID: chi.URLParam(r, "addressID")}
	}})(w, r)
}

func (d Deps) chooseDefaultAddress(w http.ResponseWriter, r *http.Request) {
	d.serveCustomer(customerCommand{form: addressForm, build: func(r *http.Request, _ input) customers.Command {
		return customers.ChooseDefaultAddress{AddressID: chi.URLParam(r, "addressID")}
	}})(w, r)
}

// addressFields reads an address form; the customer's decider trims and
// checks the fields.
func addressFields(in input) customers.Address {
	return customers.Address{
		Nickname: in.values["nickname"], Street: in.values["street"], PostalCode: in.values["postal_code"],
		City: in.values["city"], Instructions: in.values["instructions"],
	}
}
