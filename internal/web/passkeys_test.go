package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"restaurant/domain/customers"
)

func jsonBody(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// beginAddingPasskey asks for the options to make a passkey, as
// passkeys.js does when the customer presses "Add a passkey".
func (g *guest) beginAddingPasskey(name string) *httptest.ResponseRecorder {
	return g.postJSON("/account/passkeys/challenges", "", jsonBody(map[string]string{"name": name}))
}

// finishAddingPasskey sends what the authenticator made.
func (g *guest) finishAddingPasskey(credential string) *httptest.ResponseRecorder {
	return g.postJSON("/account/passkeys/commands/add", "", `{"credential":`+credential+`}`)
}

// addPasskey adds a passkey from the authenticator to the account, and
// returns its passkey id.
func (g *guest) addPasskey(auth *authenticator, name string) string {
	g.a.t.Helper()
	begin := g.beginAddingPasskey(name)
	if begin.Code != http.StatusOK {
		g.a.t.Fatalf("begin adding a passkey: %d %s", begin.Code, begin.Body)
	}
	rec := g.finishAddingPasskey(auth.create(begin.Body.Bytes()))
	var doc struct {
		PasskeyID string `json:"passkey_id"`
		Links     map[string]link
	}
	if rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &doc) != nil || doc.PasskeyID == "" {
		g.a.t.Fatalf("add a passkey: %d %s", rec.Code, rec.Body)
	}
	return doc.PasskeyID
}

// beginPasskeySignIn asks for a sign-in challenge, as the sign-in page's
// "Sign in with a passkey" does.
func (g *guest) beginPasskeySignIn() []byte {
	g.a.t.Helper()
	rec := g.postJSON("/account/sign-in/passkey/challenges", "", `{}`)
	if rec.Code != http.StatusOK {
		g.a.t.Fatalf("begin a passkey sign-in: %d %s", rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

func (g *guest) finishPasskeySignIn(assertion, next string) *httptest.ResponseRecorder {
	return g.postJSON("/account/sign-in/passkey", "", `{"credential":`+assertion+`,"next":`+jsonBody(next)+`}`)
}

// passkeySignIn signs in with the authenticator's passkey, no email given.
func (g *guest) passkeySignIn(auth *authenticator) *httptest.ResponseRecorder {
	g.a.t.Helper()
	return g.finishPasskeySignIn(auth.get(g.beginPasskeySignIn()), "")
}

// wantProblem checks an RFC 9457 problem document.
func wantProblem(t *testing.T, rec *httptest.ResponseRecorder, status int, says string) {
	t.Helper()
	var p Problem
	if rec.Code != status || rec.Header().Get("Content-Type") != "application/problem+json" || json.Unmarshal(rec.Body.Bytes(), &p) != nil {
		t.Fatalf("want a %d problem saying %q, got %d %s: %s", status, says, rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	if p.Status != status || !strings.Contains(p.Detail, says) {
		t.Fatalf("want a %d problem saying %q, got %+v", status, says, p)
	}
}

// written counts what requests wrote: events, passkeys, and the passkeys'
// last uses.
func (a *testApp) written() [3]int {
	a.t.Helper()
	var n [3]int
	n[0] = a.events()
	if err := a.store.Pool().QueryRow(context.Background(), `SELECT count(*), count(last_used_at) FROM customer_passkeys`).Scan(&n[1], &n[2]); err != nil {
		a.t.Fatal(err)
	}
	return n
}

func TestPasskeyAddedAndSignedInWith(t *testing.T) {
	a := newTestApp(t)
	g := a.signedUp("ana@example.com")
	if page := g.get("/account").Body.String(); !strings.Contains(page, "No passkeys yet.") || !strings.Contains(page, `id="passkey-add" class="passkey-add" data-passkeys hidden`) {
		t.Fatalf("the account page offers no passkey, hidden until the script finds the browser can:\n%s", page)
	}
	begin := g.beginAddingPasskey(" Work laptop ")
	var options struct {
		PublicKey struct {
			AuthenticatorSelection struct {
				ResidentKey      string `json:"residentKey"`
				RequireResident  bool   `json:"requireResidentKey"`
				UserVerification string `json:"userVerification"`
			} `json:"authenticatorSelection"`
			User struct {
				Name string `json:"name"`
			} `json:"user"`
		} `json:"publicKey"`
	}
	if begin.Code != http.StatusOK || json.Unmarshal(begin.Body.Bytes(), &options) != nil {
		t.Fatalf("begin: %d %s", begin.Code, begin.Body)
	}
	if sel := options.PublicKey.AuthenticatorSelection; sel.ResidentKey != "required" || !sel.RequireResident || sel.UserVerification != "preferred" || options.PublicKey.User.Name != "ana@example.com" {
		t.Fatalf("creation options: %s", begin.Body)
	}
	if c := g.cookies[passkeyCookie]; c == nil || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.MaxAge != 300 {
		t.Fatalf("ceremony cookie: %+v", c)
	}
	auth := newAuthenticator(t)
	rec := g.finishAddingPasskey(auth.create(begin.Body.Bytes()))
	if rec.Code != http.StatusCreated {
		t.Fatalf("add: %d %s", rec.Code, rec.Body)
	}
	page := g.get("/account").Body.String()
	today := time.Now().UTC().Format("2 Jan 2006")
	if !strings.Contains(page, "Work laptop") || !strings.Contains(page, "Added "+today+" · last used never") {
		t.Fatalf("the account page does not list the passkey:\n%s", page)
	}

	// The log has the customer's intent, not the key.
	var data string
	if err := a.store.Pool().QueryRow(context.Background(), `SELECT data::text FROM events WHERE type = $1`, customers.PasskeyAdded{}.EventType()).Scan(&data); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(data, `"name":"sealed:v1:`) || strings.Contains(data, "Work laptop") || strings.Contains(data, b64(auth.credID)) {
		t.Fatalf("PasskeyAdded should hold the name sealed and no key: %s", data)
	}

	// Signed out, a guest opens an order; signing in with the passkey (no
	// email) takes it into the account, with a new session id.
	if rec := g.post("/account/sign-out", url.Values{}); rec.Code != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", rec.Code)
	}
	orderID := g.openWith("margherita", "1")
	old := g.cookies["customer_session"]
	rec = g.passkeySignIn(auth)
	var doc struct {
		Links map[string]link `json:"_links"`
	}
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &doc) != nil || doc.Links["next"].Href != "/account" {
		t.Fatalf("passkey sign-in: %d %s", rec.Code, rec.Body)
	}
	if now := g.cookies["customer_session"]; now == nil || old != nil && now.Value == old.Value {
		t.Fatal("the session id did not change at sign-in")
	}
	page = g.get("/account").Body.String()
	if !strings.Contains(page, "ana@example.com") || !strings.Contains(page, "last used "+today) {
		t.Fatalf("signed in with a passkey, /account:\n%s", page)
	}
	if adopted, err := a.store.Pool().Query(context.Background(), `SELECT 1 FROM events WHERE type = $1 AND data->>'order_id' = $2`,
		customers.GuestOrderAdopted{}.EventType(), orderID); err != nil || !adopted.Next() {
		t.Fatalf("the guest order was not adopted at a passkey sign-in (%v)", err)
	} else {
		adopted.Close()
	}
	// The sign count the passkey reported is kept, and a second sign-in
	// with a higher one works.
	if rec := g.passkeySignIn(auth); rec.Code != http.StatusOK {
		t.Fatalf("a second passkey sign-in: %d %s", rec.Code, rec.Body)
	}
	var count uint32
	if err := a.store.Pool().QueryRow(context.Background(), `SELECT (credential->'authenticator'->>'signCount')::bigint FROM customer_passkeys`).Scan(&count); err != nil || count != 2 {
		t.Fatalf("stored sign count %d (%v), want 2", count, err)
	}
}

func TestPasskeyWithoutANameIsNamedByItsDay(t *testing.T) {
	a := newTestApp(t)
	g := a.signedUp("ana@example.com")
	g.addPasskey(newAuthenticator(t), "  ")
	if want := customers.DefaultPasskeyName(time.Now()); !strings.Contains(g.get("/account").Body.String(), want) {
		t.Fatalf("the account page does not say %q", want)
	}
}

// TestAFullAccountOffersNoMorePasskeys: at the most passkeys an account
// holds, the page says so instead of offering another, and the server
// refuses one anyway.
func TestAFullAccountOffersNoMorePasskeys(t *testing.T) {
	a := newTestApp(t)
	g := a.signedUp("ana@example.com")
	for range customers.MaxPasskeys {
		g.addPasskey(newAuthenticator(t), "")
	}
	page := g.get("/account").Body.String()
	if strings.Contains(page, `id="passkey-add"`) || !strings.Contains(page, "An account can hold at most 10 passkeys; remove one to add another.") {
		t.Fatalf("a full account's page:\n%s", page)
	}
	wantProblem(t, g.beginAddingPasskey("One more"), http.StatusConflict, "at most 10 passkeys")
}

// TestPasskeyRemoved: a removed passkey leaves the page and signs no one in;
// another customer cannot remove it; JSON clients remove too.
func TestPasskeyRemoved(t *testing.T) {
	a := newTestApp(t)
	ana := a.signedUp("ana@example.com")
	laptop, phone := newAuthenticator(t), newAuthenticator(t)
	laptopID := ana.addPasskey(laptop, "Laptop")
	phoneID := ana.addPasskey(phone, "Phone")

	bea := a.signedUp("bea@example.com")
	before := a.written()
	wantProblem(t, bea.postJSON("/account/passkeys/"+laptopID+"/commands/remove", "", `{}`), http.StatusNotFound, "That passkey is not on your account.")
	if rec := bea.post("/account/passkeys/"+laptopID+"/commands/remove", form()); rec.Code != http.StatusNotFound {
		t.Fatalf("another customer's passkey removed by form: %d", rec.Code)
	}
	if a.written() != before {
		t.Fatal("another customer's removal wrote something")
	}

	if rec := ana.post("/account/passkeys/"+laptopID+"/commands/remove", form()); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/account" {
		t.Fatalf("remove: %d %s", rec.Code, rec.Body)
	}
	if page := ana.get("/account").Body.String(); strings.Contains(page, "Laptop") || !strings.Contains(page, "Phone") {
		t.Fatalf("the account page after removing the laptop's passkey:\n%s", page)
	}
	before = a.written()
	wantProblem(t, a.guest().passkeySignIn(laptop), http.StatusUnauthorized, "not on any account here")
	if a.written() != before {
		t.Fatal("a refused sign-in wrote something")
	}
	// Removing it again is refused next to it; the same form again is not.
	if rec := ana.post("/account/passkeys/"+laptopID+"/commands/remove", form()); rec.Code != http.StatusNotFound {
		t.Fatalf("removed twice: %d", rec.Code)
	}
	rec := ana.postJSON("/account/passkeys/"+phoneID+"/commands/remove", "remove-phone", `{}`)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("remove by JSON: %d %s", rec.Code, rec.Body)
	}
	if again := ana.postJSON("/account/passkeys/"+phoneID+"/commands/remove", "remove-phone", `{}`); again.Code != http.StatusAccepted {
		t.Fatalf("the same removal again: %d %s", again.Code, again.Body)
	}
	if page := ana.get("/account").Body.String(); !strings.Contains(page, "No passkeys yet.") {
		t.Fatalf("passkeys left after removing both:\n%s", page)
	}
	var n int
	if err := a.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM events WHERE type = $1`, customers.PasskeyRemoved{}.EventType()).Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d PasskeyRemoved events (%v), want 2", n, err)
	}
}

// TestBadPasskeyAnswersWriteNothing: whatever is wrong with an answer, it
// gets a 4xx problem document and nothing is written.
func TestBadPasskeyAnswersWriteNothing(t *testing.T) {
	a := newTestApp(t)
	ana := a.signedUp("ana@example.com")
	anaKey := newAuthenticator(t)
	ana.addPasskey(anaKey, "Laptop")
	bea := a.signedUp("bea@example.com")

	check := func(name string, rec *httptest.ResponseRecorder, status int, says string) {
		t.Helper()
		t.Run(name, func(t *testing.T) { wantProblem(t, rec, status, says) })
	}
	before := a.written()

	// Adding.
	check("a name too long", bea.beginAddingPasskey(strings.Repeat("n", 61)), http.StatusUnprocessableEntity, "at most 60")
	check("a name with a control character", bea.beginAddingPasskey("Lap\ttop"), http.StatusUnprocessableEntity, "control characters")
	check("not JSON", bea.postJSON("/account/passkeys/commands/add", "", `{"credential": {`), http.StatusBadRequest, "not a passkey's answer")
	check("no credential", bea.postJSON("/account/passkeys/commands/add", "", `{"name": "x"}`), http.StatusBadRequest, "not a passkey's answer")
	check("a credential that is no credential", bea.postJSON("/account/passkeys/commands/add", "", `{"credential": {"id": "AAAA"}}`), http.StatusBadRequest, "not a passkey's answer")
	unbound := bea.beginAddingPasskey("")
	delete(bea.cookies, passkeyCookie)
	check("no ceremony in this browser", bea.finishAddingPasskey(newAuthenticator(t).create(unbound.Body.Bytes())), http.StatusBadRequest, "expired or was already answered")
	check("signed out", a.guest().postJSON("/account/passkeys/challenges", "", `{}`), http.StatusUnauthorized, "Sign in first.")

	first := bea.beginAddingPasskey("Phone")
	stale := bea.cookies[passkeyCookie]
	second := bea.beginAddingPasskey("Phone")
	check("the challenge of another ceremony", bea.finishAddingPasskey(newAuthenticator(t).create(first.Body.Bytes())), http.StatusBadRequest, "could not be verified")
	check("an answered ceremony", bea.finishAddingPasskey(newAuthenticator(t).create(second.Body.Bytes())), http.StatusBadRequest, "expired or was already answered")
	bea.cookies[passkeyCookie] = stale
	check("a replaced ceremony", bea.finishAddingPasskey(newAuthenticator(t).create(first.Body.Bytes())), http.StatusBadRequest, "expired or was already answered")

	expiring := bea.beginAddingPasskey("Phone")
	if _, err := a.store.Pool().Exec(context.Background(), `UPDATE passkey_ceremonies SET expires_at = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	check("an expired ceremony", bea.finishAddingPasskey(newAuthenticator(t).create(expiring.Body.Bytes())), http.StatusBadRequest, "expired")

	// Ana's ceremony, answered in Bea's browser with Ana's cookie.
	anaBegin := ana.beginAddingPasskey("Tablet")
	bea.cookies[passkeyCookie] = ana.cookies[passkeyCookie]
	check("another customer's ceremony", bea.finishAddingPasskey(newAuthenticator(t).create(anaBegin.Body.Bytes())), http.StatusBadRequest, "expired or was already answered")

	// Ana's passkey, made again for Bea's account: the same credential.
	taken := bea.beginAddingPasskey("Ana's laptop")
	again := *anaKey
	check("another customer's credential", bea.finishAddingPasskey(again.create(taken.Body.Bytes())), http.StatusConflict, "on an account already")

	// An answer for another site.
	other := bea.beginAddingPasskey("Phone")
	elsewhere := newAuthenticator(t)
	elsewhere.origin = "http://evil.example"
	check("another origin", bea.finishAddingPasskey(elsewhere.create(other.Body.Bytes())), http.StatusBadRequest, "could not be verified")

	if got := a.written(); got != before {
		t.Fatalf("bad answers wrote something: %v, before %v", got, before)
	}
}

// TestPasskeyRemovalIsACommandLikeAnyOther: a key sent again with another
// request is refused, as for every command, and the passkey stays.
func TestPasskeyRemovalIsACommandLikeAnyOther(t *testing.T) {
	a := newTestApp(t)
	g := a.signedUp("ana@example.com")
	auth := newAuthenticator(t)
	id := g.addPasskey(auth, "Laptop")
	if rec := g.postJSON("/account/commands/change-details", "key-1", `{"name":"Ana B","phone":"0612345678"}`); rec.Code != http.StatusAccepted {
		t.Fatalf("change details: %d %s", rec.Code, rec.Body)
	}
	before := a.written()
	wantProblem(t, g.postJSON("/account/passkeys/"+id+"/commands/remove", "key-1", `{}`), http.StatusUnprocessableEntity, "already used")
	if a.written() != before || !strings.Contains(g.get("/account").Body.String(), "Laptop") {
		t.Fatal("a reused key removed the passkey")
	}
}
