package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/google/uuid"

	"restaurant/domain/customers"
	"restaurant/internal/accounts"
	"restaurant/internal/eventstore"
)

var errNotDiscoverable = &requestError{http.StatusBadRequest,
	"This authenticator made a key that cannot sign you in without your email. Please add a passkey from a device or password manager that keeps passkeys."}

// beginAddPasskey starts adding a passkey to the signed-in customer's
// account (JSON field name, optional). The name is decided on first, so
// that no one unlocks their authenticator for a passkey that will be
// refused; then the browser gets the options for navigator.credentials.create,
// which leave out the authenticators on the account already.
func (d Deps) beginAddPasskey(w http.ResponseWriter, r *http.Request) {
	rp, ok := d.relyingParty(r)
	if !ok {
		writeProblem(w, r, errPasskeysNeedAName)
		return
	}
	in, err := readInput(w, r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	ctx := r.Context()
	id := signedInID(ctx)
	s, err := d.customerState(ctx, id)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	if _, err := customers.Decide(s, customers.AddPasskey{PasskeyID: uuid.NewString(), Name: in.values["name"], At: d.Now().UTC()}); err != nil {
		writeProblem(w, r, err)
		return
	}
	keys, err := d.passkeys.List(ctx, id)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	user := newPasskeyUser(s, keys)
	wa, err := rp.webAuthn()
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	creation, session, err := wa.BeginRegistration(user,
		webauthn.WithExclusions(webauthn.Credentials(user.credentials).CredentialDescriptors()),
		webauthn.WithRegistrationOrigin(rp.origin),
		webauthn.WithExtensions(webauthn.WithExtensionCredProps()))
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	name, _ := customers.NormalizePasskeyName(in.values["name"]) // decided on above
	d.beginCeremony(w, r, accounts.Ceremony{Purpose: accounts.PurposeAdd, CustomerID: id, Name: name, Session: *session}, creation)
}

// addPasskey verifies the credential the browser made for the ceremony
// begun in this browser by this customer, and keeps it: PasskeyAdded on the
// customer's stream and the public key in customer_passkeys, together.
func (d Deps) addPasskey(w http.ResponseWriter, r *http.Request) {
	answer, err := readPasskeyAnswer(w, r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(answer.Credential)
	if err != nil {
		writeProblem(w, r, errNotAPasskeyAnswer)
		return
	}
	ctx := r.Context()
	id := signedInID(ctx)
	c, err := d.takeCeremony(w, r, accounts.PurposeAdd)
	if err == nil && c.CustomerID != id {
		err = errNoCeremony // begun by another customer in this browser
	}
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	cred, err := d.verifyNewPasskey(ctx, id, c, parsed)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	passkeyID := uuid.NewString()
	meta := eventstore.Metadata{CommandID: uuid.New(), Actor: customerActor(id)}
	res, err := d.passkeys.Add(ctx, meta, id, customers.AddPasskey{PasskeyID: passkeyID, Name: c.Name, At: d.Now().UTC()}, cred)
	if errors.Is(err, accounts.ErrPasskeyTaken) {
		err = errPasskeyTaken
	}
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	slog.InfoContext(ctx, "customer added a passkey", "customer_id", id, "passkey_id", passkeyID)
	accepted(w, http.StatusCreated, res, map[string]any{"passkey_id": passkeyID, "_links": map[string]link{"account": {Href: "/account"}}})
}

// verifyNewPasskey checks a new credential against its ceremony, as the
// relying party the ceremony was begun for: the challenge, the origin, the
// RP ID, the customer, and that it is a passkey (a discoverable key).
func (d Deps) verifyNewPasskey(ctx context.Context, customerID string, c accounts.Ceremony, parsed *protocol.ParsedCredentialCreationData) (*webauthn.Credential, error) {
	s, err := d.customerState(ctx, customerID)
	if err != nil {
		return nil, err
	}
	wa, err := begun(c.Session).webAuthn()
	if err != nil {
		return nil, err
	}
	cred, err := wa.CreateCredential(newPasskeyUser(s, nil), c.Session, parsed)
	if err != nil {
		slog.InfoContext(ctx, "a new passkey was not verified", "customer_id", customerID, "error", err)
		return nil, errPasskeyNotVerified
	}
	if rk := cred.Extensions.RK; rk != nil && !*rk {
		return nil, errNotDiscoverable
	}
	return cred, nil
}

func passkeyForm(r *http.Request) string { return "passkey-" + chi.URLParam(r, "passkeyID") }

// removePasskey takes a passkey off the signed-in customer's account: a
// form, or JSON. It signs no one in after.
func (d Deps) removePasskey(w http.ResponseWriter, r *http.Request) {
	d.serveCustomer(customerCommand{
		form: passkeyForm,
		build: func(r *http.Request, _ input) customers.Command {
			return customers.RemovePasskey{PasskeyID: chi.URLParam(r, "passkeyID"), At: d.Now().UTC()}
		},
		run: func(ctx context.Context, customerID string, meta eventstore.Metadata, cmd customers.Command) (eventstore.Result, error) {
			remove, _ := cmd.(customers.RemovePasskey)
			return d.passkeys.Remove(ctx, meta, customerID, remove)
		},
	})(w, r)
}
