package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"restaurant/domain/customers"
	"restaurant/internal/eventstore"
)

// signUp signs a browser up and returns the answer.
func (g *guest) signUp(name, email, phone, password string) int {
	g.a.t.Helper()
	return g.post("/account/commands/sign-up", form("name", name, "email", email, "phone", phone, "password", password)).Code
}

// customerCount counts the customers who signed up.
func (a *testApp) customerCount() int {
	a.t.Helper()
	var n int
	if err := a.store.Pool().QueryRow(context.Background(),
		`SELECT count(*) FROM events WHERE type = $1`, customers.CustomerSignedUp{}.EventType()).Scan(&n); err != nil {
		a.t.Fatal(err)
	}
	return n
}

func TestSignUpShowsTheAccount(t *testing.T) {
	a := newTestApp(t)
	g := a.guest()
	if rec := g.get("/account"); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/account/sign-in") {
		t.Fatalf("anonymous /account: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	if rec := g.get("/"); !strings.Contains(rec.Body.String(), `href="/account/sign-in"`) {
		t.Fatalf("the menu has no sign-in link: %s", rec.Body)
	}
	rec := g.post("/account/commands/sign-up", form("name", " Ana Lima ", "email", "Ana@Example.com", "phone", "+31 (20) 123-4567", "password", "tomato basil orbit"))
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/account" {
		t.Fatalf("sign-up: %d %s", rec.Code, rec.Body)
	}
	c := g.cookies["customer_session"]
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
		t.Fatalf("customer session cookie: %+v", c)
	}
	page := g.get("/account")
	body := page.Body.String()
	for _, want := range []string{"Ana Lima", "ana@example.com", "+31201234567"} {
		if page.Code != http.StatusOK || !strings.Contains(body, want) {
			t.Fatalf("account page lacks %q: %d %s", want, page.Code, body)
		}
	}
	if rec := g.get("/"); !strings.Contains(rec.Body.String(), `href="/account"`) {
		t.Fatalf("the menu has no account link once signed in")
	}
	var hash string
	if err := a.store.Pool().QueryRow(context.Background(), `SELECT password_hash FROM customer_credentials`).Scan(&hash); err != nil || !strings.HasPrefix(hash, "$2") {
		t.Fatalf("password hash: %q %v", hash, err)
	}
	var n int
	_ = a.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM events WHERE data::text ILIKE '%orbit%'`).Scan(&n)
	if n != 0 {
		t.Fatal("the password is in the event log")
	}
}

func TestSignUpRefusesBadInputAndWritesNothing(t *testing.T) {
	a := newTestApp(t)
	cases := []struct{ name, email, phone, password, field, says string }{
		{"", "a@example.com", "0612345678", "tomato basil orbit", "name", "Please enter your name."},
		{strings.Repeat("n", 81), "a@example.com", "0612345678", "tomato basil orbit", "name", "at most 80"},
		{"Ana", "not-an-email", "0612345678", "tomato basil orbit", "email", "exactly one @"},
		{"Ana", "a@example.com", "12ab", "tomato basil orbit", "phone", "only digits"},
		{"Ana", "a@example.com", "0612345678", "short", "password", "at least 10"},
		{"Ana", "a@example.com", "0612345678", "password123", "password", "common"},
	}
	for _, c := range cases {
		g := a.guest()
		before := a.events()
		rec := g.post("/account/commands/sign-up", form("name", c.name, "email", c.email, "phone", c.phone, "password", c.password))
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), c.says) {
			t.Errorf("%s: %d, want 422 saying %q: %s", c.field, rec.Code, c.says, rec.Body)
		}
		if strings.Contains(rec.Body.String(), c.password) && c.password != "" && c.field != "password" {
			t.Errorf("%s: the password is sent back", c.field)
		}
		if c.field != "name" && !strings.Contains(rec.Body.String(), `value="Ana"`) {
			t.Errorf("%s: the name typed is not kept", c.field)
		}
		if a.events() != before {
			t.Errorf("%s: something was written", c.field)
		}
	}
}

func TestDuplicateEmailIsRefused(t *testing.T) {
	a := newTestApp(t)
	if code := a.guest().signUp("Ana", "ana@example.com", "0612345678", "tomato basil orbit"); code != http.StatusSeeOther {
		t.Fatalf("first sign-up: %d", code)
	}
	before := a.events()
	rec := a.guest().post("/account/commands/sign-up", form("name", "Other Ana", "email", " ANA@example.COM ", "phone", "0612345679", "password", "another fine phrase"))
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "This email already has an account.") {
		t.Fatalf("duplicate email: %d %s", rec.Code, rec.Body)
	}
	if a.events() != before || a.customerCount() != 1 {
		t.Fatalf("a duplicate sign-up wrote %d events", a.events()-before)
	}
}

func TestConcurrentSignUpsWithOneEmailMakeOneAccount(t *testing.T) {
	a := newTestApp(t)
	const n = 4
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		g := a.guest()
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = g.post("/account/commands/sign-up", form("name", "Ana", "email", "same@example.com", "phone", "0612345678", "password", "tomato basil orbit")).Code
		}()
	}
	wg.Wait()
	won := 0
	for _, c := range codes {
		switch c {
		case http.StatusSeeOther:
			won++
		case http.StatusUnprocessableEntity:
		default:
			t.Fatalf("a concurrent sign-up answered %d", c)
		}
	}
	if won != 1 || a.customerCount() != 1 {
		t.Fatalf("%d sign-ups won, %d accounts; want exactly one (%v)", won, a.customerCount(), codes)
	}
}

func TestDuplicateEmailInJSONIsAProblemOnTheField(t *testing.T) {
	a := newTestApp(t)
	a.signedUp("ana@example.com")
	rec := a.guest().postJSON("/account/commands/sign-up", "k1", `{"name":"Ana","email":"Ana@example.com","phone":"0612345678","password":"another fine phrase"}`)
	var p Problem
	if rec.Code != http.StatusUnprocessableEntity || jsonUnmarshal(rec.Body.Bytes(), &p) != nil || p.Field != "email" || p.Detail != "This email already has an account." {
		t.Fatalf("duplicate email in JSON: %d %s", rec.Code, rec.Body)
	}
}

// TestAReleasedEmailSignsUpAgain: after an erasure releases the email, its
// reservation stream exists, and a new sign-up reserves it at the version
// it read.
func TestAReleasedEmailSignsUpAgain(t *testing.T) {
	a := newTestApp(t)
	g := a.signedUp("ana@example.com")
	c := g.customer()
	ctx := context.Background()
	var secret []byte
	if err := a.store.Pool().QueryRow(ctx, `SELECT value FROM server_secrets WHERE name = 'email-key'`).Scan(&secret); err != nil {
		t.Fatal(err)
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("ana@example.com"))
	stream := customers.EmailStream(hex.EncodeToString(m.Sum(nil)))
	meta := func() eventstore.Metadata { return eventstore.Metadata{CommandID: uuid.New(), Actor: "staff:test"} }
	if _, err := eventstore.Handle(ctx, a.store, customers.Stream(c.ID), customers.Decider, meta(), customers.Command(customers.Erase{At: time.Now()})); err != nil {
		t.Fatal(err)
	}
	if _, err := eventstore.Handle(ctx, a.store, stream, customers.ReservationDecider, meta(), customers.ReservationCommand(customers.ReleaseEmail{CustomerID: c.ID})); err != nil {
		t.Fatal(err)
	}
	if code := a.guest().signUp("Ana again", "ana@example.com", "0612345678", "a brand new phrase"); code != http.StatusSeeOther {
		t.Fatalf("signing up again with a released email: %d", code)
	}
	if rec := a.guest().customerSignIn("ana@example.com", anaPassword); rec.Code != http.StatusUnauthorized {
		t.Fatalf("the erased account's password still signs in: %d", rec.Code)
	}
	if rec := a.guest().customerSignIn("ana@example.com", "a brand new phrase"); rec.Code != http.StatusSeeOther {
		t.Fatalf("the new account does not sign in: %d", rec.Code)
	}
}
