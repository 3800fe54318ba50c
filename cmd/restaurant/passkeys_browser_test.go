package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"

	"restaurant/internal/testdb"
)

// TestCustomerSignsInWithAPasskey: a customer signs up, adds a passkey on
// their account page (a virtual platform authenticator stands in for the
// phone's fingerprint reader), signs out, and signs in again with the
// passkey alone: no email or password typed. The site is opened as
// http://localhost:PORT, since a passkey's RP ID must be a name, never an
// IP address, and Chromium counts localhost as a secure context.
func TestCustomerSignsInWithAPasskey(t *testing.T) {
	chrome := chromiumPath(t)
	dbURL := testdb.URL(t)
	base := strings.Replace(startServer(t, map[string]string{"DATABASE_URL": dbURL}), "127.0.0.1", "localhost", 1)
	b := openBrowser(t, chrome, 60*time.Second)
	auth := b.virtualAuthenticator()

	b.load("sign-up page", chromedp.Navigate(base+"/account/sign-up"))
	b.do("sign up", chromedp.SendKeys(chromedp.CSS(`#sign-up input[name="name"]`), "Ana Lima"),
		chromedp.SendKeys(chromedp.CSS(`#sign-up input[name="email"]`), "ana@example.com"),
		chromedp.SendKeys(chromedp.CSS(`#sign-up input[name="phone"]`), "+351 912 345 678"),
		chromedp.SendKeys(chromedp.CSS(`#sign-up input[name="password"]`), "tomato basil orbit"))
	b.load("sign up", chromedp.Click(chromedp.CSS(`#sign-up button`)))

	// The script shows the passkey form, the browser being able to.
	b.do("add passkey", chromedp.WaitVisible(chromedp.CSS("#passkey-add")),
		chromedp.SendKeys(chromedp.CSS(`#passkey-add input[name="name"]`), "This phone"))
	b.shot("account-before-passkey")
	b.do("add passkey", chromedp.Click(chromedp.CSS("#add-passkey")), chromedp.WaitVisible(chromedp.CSS("li.passkey")))
	if got := value(b, "passkey added", chromedp.Text(chromedp.CSS("li.passkey"))); !strings.Contains(got, "This phone") || !strings.Contains(got, "last used never") {
		b.fail("passkey added", "the passkey reads %q", got)
	}
	b.noAlerts("passkey added")
	b.shot("account-passkey")
	// The same authenticator again: the browser refuses it (the server
	// leaves the account's passkeys out), and the page says so.
	b.do("add again", chromedp.Click(chromedp.CSS("#add-passkey")), chromedp.WaitVisible(chromedp.CSS("#passkey-add-error")))
	if got := value(b, "add again", chromedp.Text(chromedp.CSS("#passkey-add-error"))); got != "This device already holds a passkey for your account." {
		b.fail("add again", "the page says %q", got)
	}
	b.shot("account-passkey-twice")
	creds, err := chromedp.Call(b.ctx, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: auth})
	if err != nil || len(creds.Credentials) != 1 || !creds.Credentials[0].IsResidentCredential || creds.Credentials[0].RpID != "localhost" {
		b.fail("passkey added", "the authenticator holds %+v (%v), want one passkey for localhost", creds.Credentials, err)
	}

	b.load("sign out", chromedp.Click(chromedp.CSS("#sign-out")))
	b.load("sign-in page", chromedp.Navigate(base+"/account/sign-in"))
	b.do("sign-in page", chromedp.WaitVisible(chromedp.CSS("#passkey-sign-in")))
	b.shot("sign-in-passkey")
	b.do("passkey sign-in", chromedp.Click(chromedp.CSS("#passkey-sign-in")), chromedp.WaitVisible(chromedp.CSS("#sign-out")))
	if where := value(b, "signed in", chromedp.Location()); where != base+"/account" {
		b.fail("signed in", "signed in at %s, want %s/account", where, base)
	}
	if got := value(b, "signed in", chromedp.Text(chromedp.CSS("main"))); !strings.Contains(got, "ana@example.com") || !strings.Contains(got, "This phone") {
		b.fail("signed in", "the account page reads %q", got)
	}
	b.noAlerts("signed in")
	b.shot("signed-in-with-passkey")

	conn, err := pgx.Connect(b.ctx, dbURL)
	if err != nil {
		b.fail("database", "connect: %v", err)
	}
	defer conn.Close(context.Background())
	var added, used int
	if err := conn.QueryRow(b.ctx, `SELECT (SELECT count(*) FROM events WHERE type = 'customers.PasskeyAdded'),
		(SELECT count(*) FROM customer_passkeys WHERE last_used_at IS NOT NULL)`).Scan(&added, &used); err != nil || added != 1 || used != 1 {
		b.fail("database", "%d PasskeyAdded events, %d passkeys used (%v); want 1 and 1", added, used, err)
	}
}

// virtualAuthenticator gives the tab a platform authenticator that keeps
// passkeys and verifies its user at once, like a phone with a fingerprint
// reader whose owner touches it.
func (b *browser) virtualAuthenticator() webauthn.AuthenticatorID {
	b.t.Helper()
	if _, err := chromedp.Call(b.ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		b.fail("authenticator", "enable WebAuthn: %v", err)
	}
	res, err := chromedp.Call(b.ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: &webauthn.VirtualAuthenticatorOptions{
		Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21,
		Transport: webauthn.AuthenticatorTransportInternal, HasResidentKey: true, HasUserVerification: true,
		IsUserVerified: true, AutomaticPresenceSimulation: true,
	}})
	if err != nil {
		b.fail("authenticator", "add a virtual authenticator: %v", err)
	}
	return res.AuthenticatorID
}

// noAlerts fails the step when the page shows an error (an alert not
// hidden).
func (b *browser) noAlerts(step string) {
	b.t.Helper()
	if alerts := value(b, step, chromedp.Evaluate[string](
		`[...document.querySelectorAll('[role="alert"]')].filter(e => !e.hidden).map(e => e.innerText).join(" | ")`)); alerts != "" {
		b.fail(step, "the page shows errors: %s", alerts)
	}
}
