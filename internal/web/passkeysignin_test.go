package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"restaurant/domain/customers"
	"restaurant/internal/eventstore"
)

// TestPasskeySignInRefusals: a passkey that signs no one in is told why,
// with a 4xx problem document, and nothing is written.
func TestPasskeySignInRefusals(t *testing.T) {
	a := newTestApp(t)
	ana := a.signedUp("ana@example.com")
	anaKey := newAuthenticator(t)
	ana.addPasskey(anaKey, "Laptop")
	bea := a.signedUp("bea@example.com")
	beaKey := newAuthenticator(t)
	bea.addPasskey(beaKey, "Phone")
	if rec := a.guest().passkeySignIn(beaKey); rec.Code != http.StatusOK { // its count is 1 now
		t.Fatalf("sign in with Bea's passkey: %d %s", rec.Code, rec.Body)
	}
	before := a.written()
	g := a.guest()

	check := func(name string, rec *httptest.ResponseRecorder, status int, says string) {
		t.Helper()
		t.Run(name, func(t *testing.T) {
			wantProblem(t, rec, status, says)
			if g.cookies["customer_session"] != nil {
				t.Fatal("a refused sign-in signed the browser in")
			}
		})
	}

	stranger := newAuthenticator(t)
	stranger.rpID, stranger.userHandle = "example.com", []byte("someone")
	check("an unknown passkey", g.passkeySignIn(stranger), http.StatusUnauthorized, "not on any account here")

	// Ana's key, claiming to be Bea's.
	claiming := *anaKey
	claiming.userHandle = beaKey.userHandle
	check("another customer's passkey", g.passkeySignIn(&claiming), http.StatusUnauthorized, "belongs to another account")

	// A count that did not go up: a copy of the key, signing too.
	copied := *beaKey
	options := g.beginPasskeySignIn()
	check("a count gone backwards", g.finishPasskeySignIn(copied.sign(copied.options(options).PublicKey.Challenge), ""), http.StatusUnauthorized, "may have been copied")

	options = g.beginPasskeySignIn()
	answer := anaKey.get(options)
	forged := strings.Replace(answer, `"signature":"`, `"signature":"AAAA`, 1)
	check("a bad signature", g.finishPasskeySignIn(forged, ""), http.StatusUnauthorized, "could not be verified")
	check("a replayed answer", g.finishPasskeySignIn(answer, ""), http.StatusBadRequest, "expired or was already answered")

	g.beginPasskeySignIn()
	check("malformed JSON", g.postJSON("/account/sign-in/passkey", "", `{"credential": [`), http.StatusBadRequest, "not a passkey's answer")
	check("an assertion that is none", g.postJSON("/account/sign-in/passkey", "", `{"credential": {"id": "x", "response": {}}}`), http.StatusBadRequest, "not a passkey's answer")

	// An answer to a challenge for adding a passkey is no sign-in.
	addOptions := ana.beginAddingPasskey("Tablet")
	g.cookies[passkeyCookie] = ana.cookies[passkeyCookie]
	check("an adding ceremony", g.finishPasskeySignIn(anaKey.sign(anaKey.options(addOptions.Body.Bytes()).PublicKey.Challenge), ""), http.StatusBadRequest, "expired or was already answered")

	ctx := context.Background()
	meta := eventstore.Metadata{CommandID: uuid.New(), Actor: "staff:test"}
	if _, err := eventstore.Handle(ctx, a.store, customers.Stream(string(anaKey.userHandle)), customers.Decider, meta, customers.Command(customers.Erase{At: time.Now()})); err != nil {
		t.Fatal(err)
	}
	before[0]++ // the erasure
	check("an erased account", g.passkeySignIn(anaKey), http.StatusUnauthorized, "was erased")

	// A passkey whose account never signed up.
	if _, err := a.store.Pool().Exec(ctx, `UPDATE customer_passkeys SET customer_id = 'nobody' WHERE credential_id = $1`, beaKey.credID); err != nil {
		t.Fatal(err)
	}
	nobody := *beaKey
	nobody.userHandle = []byte("nobody")
	check("an account that does not exist", g.passkeySignIn(&nobody), http.StatusUnauthorized, "does not exist here")

	if got := a.written(); got != before {
		t.Fatalf("refused sign-ins wrote something: %v, before %v", got, before)
	}
}

// TestTheStreamSaysWhichPasskeysSignIn: a credential still in the table
// whose PasskeyRemoved is on the stream (its deletion failed) signs no one
// in, and goes when the customer removes it again.
func TestTheStreamSaysWhichPasskeysSignIn(t *testing.T) {
	a := newTestApp(t)
	g := a.signedUp("ana@example.com")
	auth := newAuthenticator(t)
	id := g.addPasskey(auth, "Laptop")
	ctx := context.Background()
	meta := eventstore.Metadata{CommandID: uuid.New(), Actor: customerActor(string(auth.userHandle))}
	if _, err := eventstore.Handle(ctx, a.store, customers.Stream(string(auth.userHandle)), customers.Decider, meta,
		customers.Command(customers.RemovePasskey{PasskeyID: id, At: time.Now()})); err != nil {
		t.Fatal(err)
	}
	wantProblem(t, a.guest().passkeySignIn(auth), http.StatusUnauthorized, "not on any account here")
	if rec := g.post("/account/passkeys/"+id+"/commands/remove", form()); rec.Code != http.StatusNotFound {
		t.Fatalf("removing it again: %d", rec.Code)
	}
	if page := g.get("/account").Body.String(); !strings.Contains(page, "No passkeys yet.") {
		t.Fatalf("the leftover passkey is still listed:\n%s", page)
	}
}

// TestPasskeysNeedASiteName: a site reached by an IP address cannot be a
// relying party, so it offers no passkeys, and says why when asked anyway;
// password sign-in is as ever.
func TestPasskeysNeedASiteName(t *testing.T) {
	a := newTestApp(t)
	g := a.signedUp("ana@example.com")
	at := func(method, path, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Host = "127.0.0.1:8080"
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		return g.do(req)
	}
	if page := at(http.MethodGet, "/account", "").Body.String(); strings.Contains(page, "passkey-add") || !strings.Contains(page, "No passkeys yet.") {
		t.Fatalf("the account page by IP address offers passkeys:\n%s", page)
	}
	wantProblem(t, at(http.MethodPost, "/account/passkeys/challenges", `{}`), http.StatusBadRequest, "not by an IP address")
	wantProblem(t, at(http.MethodPost, "/account/sign-in/passkey/challenges", `{}`), http.StatusBadRequest, "not by an IP address")
	g.post("/account/sign-out", url.Values{})
	page := at(http.MethodGet, "/account/sign-in", "").Body.String()
	if strings.Contains(page, "passkey-sign-in") || !strings.Contains(page, `name="password"`) {
		t.Fatalf("the sign-in page by IP address:\n%s", page)
	}
	if page := g.get("/account/sign-in").Body.String(); !strings.Contains(page, `<div class="passkey-sign-in" data-passkeys hidden>`) {
		t.Fatalf("the sign-in page by name offers no passkey, hidden until the script finds the browser can:\n%s", page)
	}
}

func TestRelyingParty(t *testing.T) {
	public, _ := url.Parse("https://Order.Example.com")
	for _, tc := range []struct {
		name      string
		public    *url.URL
		host      string
		https     bool
		id        string
		origin    string
		available bool
	}{
		{name: "PUBLIC_URL wins over Host", public: public, host: "10.0.0.5:8080", id: "order.example.com", origin: "https://order.example.com", available: true},
		{name: "localhost with a port", host: "localhost:8080", id: "localhost", origin: "http://localhost:8080", available: true},
		{name: "a name in capitals", host: "Gomes.Example", id: "gomes.example", origin: "http://gomes.example", available: true},
		{name: "https from a trusted proxy", host: "gomes.example", https: true, id: "gomes.example", origin: "https://gomes.example", available: true},
		{name: "an IPv4 address", host: "127.0.0.1:8080", id: "127.0.0.1", origin: "http://127.0.0.1:8080"},
		{name: "an IPv6 address", host: "[::1]:8080", id: "::1", origin: "http://[::1]:8080"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/account", nil)
			req.Host = tc.host
			if tc.https {
				req = req.WithContext(context.WithValue(req.Context(), httpsKey{}, true))
			}
			rp, ok := Deps{PublicURL: tc.public}.relyingParty(req)
			if rp.id != tc.id || rp.origin != tc.origin || ok != tc.available {
				t.Fatalf("relying party %+v, %v; want %s %s %v", rp, ok, tc.id, tc.origin, tc.available)
			}
		})
	}
}
