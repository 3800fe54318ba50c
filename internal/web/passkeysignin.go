package web

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"restaurant/domain/customers"
	"restaurant/internal/accounts"
)

// Why a passkey signs no one in, in words for the person holding it.
var (
	errUnknownPasskey = &requestError{http.StatusUnauthorized,
		"This passkey is not on any account here: it may have been removed. Please sign in with your email and password."}
	errUnknownAccount = &requestError{http.StatusUnauthorized,
		"This passkey's account does not exist here. Please sign in with your email and password, or create an account."}
	errErasedAccount = &requestError{http.StatusUnauthorized,
		"The account of this passkey was erased, so it signs no one in."}
	errPasskeyOfAnother = &requestError{http.StatusUnauthorized,
		"This passkey belongs to another account than the one it names. Please sign in with your email and password."}
	errPasskeyRefused = &requestError{http.StatusUnauthorized,
		"The passkey could not be verified. Please try again, or sign in with your email and password."}
	errPasskeyCopied = &requestError{http.StatusUnauthorized,
		"This passkey was refused: its use count went backwards, a sign that it may have been copied. " +
			"Please sign in with your email and password, and remove it from your account."}
)

// beginPasskeySignIn starts a sign-in with a passkey: no email is asked
// for, the browser offers the passkeys it holds for this site (a
// discoverable credential), and the one chosen says whose it is.
func (d Deps) beginPasskeySignIn(w http.ResponseWriter, r *http.Request) {
	rp, ok := d.relyingParty(r)
	if !ok {
		writeProblem(w, r, errPasskeysNeedAName)
		return
	}
	wa, err := rp.webAuthn()
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	assertion, session, err := wa.BeginDiscoverableMediatedLogin(protocol.MediationDefault, webauthn.WithLoginOrigin(rp.origin))
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	d.beginCeremony(w, r, accounts.Ceremony{Purpose: accounts.PurposeSignIn, Session: *session}, assertion)
}

// passkeySignIn checks the passkey's signature of the browser's challenge
// and does what a password sign-in does: a new session id, the browser's
// guest orders taken into the account. JSON answers say where to go next.
func (d Deps) passkeySignIn(w http.ResponseWriter, r *http.Request) {
	answer, err := readPasskeyAnswer(w, r)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(answer.Credential)
	if err != nil {
		writeProblem(w, r, errNotAPasskeyAnswer)
		return
	}
	c, err := d.takeCeremony(w, r, accounts.PurposeSignIn)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	ctx := r.Context()
	key, err := d.verifyPasskeySignIn(ctx, c, parsed)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	if err := d.passkeys.Used(ctx, &key.Credential, d.Now().UTC()); err != nil {
		writeProblem(w, r, err)
		return
	}
	if err := d.startCustomerSession(w, r, key.CustomerID); err != nil {
		writeProblem(w, r, err)
		return
	}
	slog.InfoContext(ctx, "customer signed in with a passkey", "customer_id", key.CustomerID, "passkey_id", key.ID)
	writeJSON(w, http.StatusOK, "application/json", map[string]any{"_links": map[string]link{"next": {Href: customerNext(answer.Next)}}})
}

// verifyPasskeySignIn finds the passkey that signed, checks that it and its
// account are still there (on the customer's stream, not only in the
// table) and verifies the signature, as the relying party the ceremony was
// begun for. It returns the passkey with its credential as the sign-in
// left it (the new sign count). A passkey whose count went backwards is
// refused: the library flags it as possibly cloned, and a real passkey's
// count only ever rises (or stays at zero, for those that keep none).
func (d Deps) verifyPasskeySignIn(ctx context.Context, c accounts.Ceremony, parsed *protocol.ParsedCredentialAssertionData) (accounts.Passkey, error) {
	var key accounts.Passkey
	var lookup error // why the passkey was not found, for the answer
	owner := func(rawID, userHandle []byte) (webauthn.User, error) {
		var s customers.State
		if key, s, lookup = d.passkeyOwner(ctx, rawID, userHandle); lookup != nil {
			return nil, lookup
		}
		return newPasskeyUser(s, []accounts.Passkey{key}), nil
	}
	wa, err := begun(c.Session).webAuthn()
	if err != nil {
		return accounts.Passkey{}, err
	}
	_, cred, err := wa.ValidatePasskeyLogin(owner, c.Session, parsed)
	switch {
	case lookup != nil:
		return accounts.Passkey{}, lookup
	case err != nil:
		slog.InfoContext(ctx, "a passkey sign-in was not verified", "error", err)
		return accounts.Passkey{}, errPasskeyRefused
	case cred.Authenticator.CloneWarning:
		slog.WarnContext(ctx, "a passkey's sign count went backwards; it may have been copied", "customer_id", key.CustomerID, "passkey_id", key.ID,
			"stored_count", key.Credential.Authenticator.SignCount, "signed_count", parsed.Response.AuthenticatorData.Counter)
		return accounts.Passkey{}, errPasskeyCopied
	}
	key.Credential = *cred
	return key, nil
}

// passkeyOwner is the passkey of the credential, and its customer, when the
// customer still has it: the user handle must name the passkey's customer,
// and the customer's stream must hold both the customer and the passkey.
func (d Deps) passkeyOwner(ctx context.Context, rawID, userHandle []byte) (accounts.Passkey, customers.State, error) {
	var s customers.State
	key, ok, err := d.passkeys.Find(ctx, rawID)
	switch {
	case err != nil:
		return key, s, err
	case !ok:
		return key, s, errUnknownPasskey
	case key.CustomerID != string(userHandle):
		return key, s, errPasskeyOfAnother
	}
	if s, err = d.customerState(ctx, key.CustomerID); err != nil {
		return key, s, err
	}
	switch s.Status() {
	case customers.StatusNone:
		return key, s, errUnknownAccount
	case customers.StatusErased:
		return key, s, errErasedAccount
	}
	if _, ok := s.Passkey(key.ID); !ok {
		return key, s, errUnknownPasskey
	}
	return key, s, nil
}
