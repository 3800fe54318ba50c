package web

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"restaurant/domain/customers"
	"restaurant/internal/accounts"
)

// Passkeys (WebAuthn). The relying party is the site as the browser sees
// it: with PUBLIC_URL, its host (the RP ID) and origin; without, the
// request's Host (as a trusted proxy forwards it), so http://localhost:8080
// works on a developer's machine. An RP ID must be a domain name: a site
// opened by an IP address (http://127.0.0.1:8080) offers no passkeys, and
// says so. Each ceremony's challenge is kept server-side (see
// accounts.Ceremony), bound to the browser by an HttpOnly, SameSite=Strict
// cookie, answered once and expiring after ceremonyTTL.

// passkeyCookie carries the secret of the browser's ceremony under way.
const passkeyCookie = "passkey_ceremony"

// ceremonyTTL is how long a browser has to answer a passkey challenge; the
// browser is asked to give up by then too.
const ceremonyTTL = 5 * time.Minute

// siteName is how the site introduces itself to authenticators.
const siteName = "Gomes Kitchen"

var (
	errPasskeysNeedAName = &requestError{http.StatusBadRequest,
		"Passkeys need this site to be opened by its name (like localhost), not by an IP address."}
	errNoCeremony = &requestError{http.StatusBadRequest,
		"This passkey request has expired or was already answered. Please try again."}
	errNotAPasskeyAnswer = &requestError{http.StatusBadRequest,
		"The request is not a passkey's answer: send a JSON object with the credential the browser made."}
	errPasskeyNotVerified = &requestError{http.StatusBadRequest,
		"The passkey could not be verified. Please try again."}
	errPasskeyTaken = &requestError{http.StatusConflict,
		"This passkey is on an account already."}
)

// relyingParty is the site as the browser sees it: the RP ID (a domain
// name) and the origin ceremonies must come from.
type relyingParty struct{ id, origin string }

// relyingParty is the site for passkeys; false when it is reached by an IP
// address, which cannot be an RP ID.
func (d Deps) relyingParty(r *http.Request) (relyingParty, bool) {
	var rp relyingParty
	if u := d.PublicURL; u != nil && u.Host != "" {
		rp = relyingParty{id: u.Hostname(), origin: u.Scheme + "://" + u.Host}
	} else {
		scheme, hostname := "http", r.Host
		if isHTTPS(r) {
			scheme = "https"
		}
		if h, _, err := net.SplitHostPort(r.Host); err == nil {
			hostname = h
		}
		rp = relyingParty{id: strings.Trim(hostname, "[]"), origin: scheme + "://" + r.Host}
	}
	rp.id, rp.origin = strings.ToLower(rp.id), strings.ToLower(rp.origin)
	return rp, rp.id != "" && protocol.ValidateRPID(rp.id) == nil
}

// webAuthn is the WebAuthn ceremony maker for the relying party: a
// discoverable credential (a passkey) is required, user verification
// preferred, and a ceremony lasts ceremonyTTL.
func (rp relyingParty) webAuthn() (*webauthn.WebAuthn, error) {
	timeout := webauthn.TimeoutConfig{Enforce: true, Timeout: ceremonyTTL, TimeoutUVD: ceremonyTTL}
	return webauthn.New(&webauthn.Config{
		RPID:          rp.id,
		RPDisplayName: siteName,
		RPOrigins:     []string{rp.origin},
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:        protocol.ResidentKeyRequirementRequired,
			RequireResidentKey: protocol.ResidentKeyRequired(),
			UserVerification:   protocol.VerificationPreferred,
		},
		Timeouts: webauthn.TimeoutsConfig{Login: timeout, Registration: timeout},
	})
}

// begun is the relying party a ceremony was begun for, which its answer is
// verified against, whatever the answering request says.
func begun(s webauthn.SessionData) relyingParty {
	return relyingParty{id: s.RelyingPartyID, origin: s.Origin}
}

// passkeyUser is a customer as WebAuthn sees them: the user handle is the
// customer id (no personal data), the name their email, so that the
// browser's passkey chooser shows whose account each passkey opens.
type passkeyUser struct {
	id, email, name string
	credentials     []webauthn.Credential
}

func (u passkeyUser) WebAuthnID() []byte                         { return []byte(u.id) }
func (u passkeyUser) WebAuthnName() string                       { return u.email }
func (u passkeyUser) WebAuthnDisplayName() string                { return u.name }
func (u passkeyUser) WebAuthnCredentials() []webauthn.Credential { return u.credentials }

func newPasskeyUser(s customers.State, keys []accounts.Passkey) passkeyUser {
	u := passkeyUser{id: s.CustomerID(), email: s.Email(), name: s.Name()}
	for _, k := range keys {
		u.credentials = append(u.credentials, k.Credential)
	}
	return u
}

// beginCeremony keeps a ceremony for the browser and sends it the options
// for navigator.credentials.create or get.
func (d Deps) beginCeremony(w http.ResponseWriter, r *http.Request, c accounts.Ceremony, options any) {
	var replaces string
	if old, err := r.Cookie(passkeyCookie); err == nil {
		replaces = old.Value
	}
	secret, err := d.passkeys.Begin(r.Context(), c, ceremonyTTL, replaces)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: passkeyCookie, Value: secret, Path: "/account", MaxAge: int(ceremonyTTL.Seconds()),
		HttpOnly: true, Secure: isHTTPS(r), SameSite: http.SameSiteStrictMode,
	})
	writeJSON(w, http.StatusOK, "application/json", options)
}

// takeCeremony ends the browser's ceremony of this purpose and returns it:
// whatever comes of the answer, the challenge answers nothing again.
func (d Deps) takeCeremony(w http.ResponseWriter, r *http.Request, purpose accounts.Purpose) (accounts.Ceremony, error) {
	c, err := r.Cookie(passkeyCookie)
	if err != nil || c.Value == "" {
		return accounts.Ceremony{}, errNoCeremony
	}
	http.SetCookie(w, &http.Cookie{Name: passkeyCookie, Path: "/account", MaxAge: -1, HttpOnly: true, Secure: isHTTPS(r), SameSite: http.SameSiteStrictMode})
	ceremony, err := d.passkeys.Take(r.Context(), c.Value, purpose)
	if errors.Is(err, accounts.ErrNoCeremony) {
		return accounts.Ceremony{}, errNoCeremony
	}
	return ceremony, err
}

// passkeyAnswer is what the browser sends back: the credential it made or
// the assertion it signed, in WebAuthn's JSON form (base64url bytes), and,
// for a sign-in, where to go next.
type passkeyAnswer struct {
	Credential json.RawMessage `json:"credential"`
	Next       string          `json:"next"`
}

// readPasskeyAnswer reads the answer's JSON, bounded in size.
func readPasskeyAnswer(w http.ResponseWriter, r *http.Request) (passkeyAnswer, error) {
	var a passkeyAnswer
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return a, &requestError{http.StatusRequestEntityTooLarge, "The request body is too large."}
	}
	if err != nil {
		return a, &requestError{http.StatusBadRequest, "The request body could not be read."}
	}
	if err := json.Unmarshal(body, &a); err != nil || len(a.Credential) == 0 || a.Credential[0] != '{' {
		return a, errNotAPasskeyAnswer
	}
	return a, nil
}
