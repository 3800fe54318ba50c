package web

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strings"

	"restaurant/domain/customers"
	"restaurant/internal/accounts"
	"restaurant/internal/eventstore"
	"restaurant/views"
)

func (d Deps) showCustomerSignIn(w http.ResponseWriter, r *http.Request) {
	if signedInID(r.Context()) != "" {
		http.Redirect(w, r, "/account", http.StatusSeeOther)
		return
	}
	guest, _ := guestID(r)
	_, passkeys := d.relyingParty(r)
	render(w, r, http.StatusOK, views.CustomerSignInPage(views.CustomerSignInView{
		Nav: d.nav(r.Context(), guest), Next: customerNext(r.URL.Query().Get("next")), Passkeys: passkeys,
	}))
}

// customerNext keeps where a customer goes after signing in on this site.
func customerNext(p string) string {
	if p == "" {
		return "/account"
	}
	if next := localPath(p); next != "/staff" || p == "/staff" {
		return next
	}
	return "/account"
}

// customerSignIn signs a customer in by email and password: the email's
// reservation says whose it is, the password is checked with the brakes on
// guessing staff have (on counters of their own), the session gets a new
// id, and the browser's guest orders come into the account.
func (d Deps) customerSignIn(w http.ResponseWriter, r *http.Request) {
	in, err := readInput(w, r)
	if err != nil {
		fail(w, r, err)
		return
	}
	ctx := r.Context()
	typed := strings.TrimSpace(in.values["email"])
	guest, _ := guestID(r)
	_, passkeys := d.relyingParty(r)
	v := views.CustomerSignInView{Nav: d.nav(ctx, guest), Email: typed, Next: customerNext(in.values["next"]), Passkeys: passkeys}
	email, err := customers.NormalizeEmail(typed)
	if err != nil {
		email = strings.ToLower(typed) // no account has it: a wrong sign-in like any other
	}
	holder, key, err := d.emailHolder(r, email)
	if err != nil {
		fail(w, r, err)
		return
	}
	err = d.CustomerAccounts.SignIn(ctx, holder, key, in.values["password"], clientAddress(r))
	var throttled *accounts.ThrottledError
	switch {
	case errors.As(err, &throttled):
		w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(throttled.Wait.Seconds()))))
		v.Message = "Too many failed sign-ins from this address. Please wait " + waitInWords(throttled.Wait) + " and try again."
		render(w, r, http.StatusTooManyRequests, views.CustomerSignInPage(v))
		return
	case errors.Is(err, accounts.ErrWrongCredentials):
		slog.InfoContext(ctx, "failed customer sign-in", "address", clientAddress(r))
		v.Message = "Wrong email or password."
		render(w, r, http.StatusUnauthorized, views.CustomerSignInPage(v))
		return
	case err != nil:
		fail(w, r, err)
		return
	}
	if err := d.startCustomerSession(w, r, holder); err != nil {
		fail(w, r, err)
		return
	}
	slog.InfoContext(ctx, "customer signed in", "customer_id", holder)
	http.Redirect(w, r, v.Next, http.StatusSeeOther)
}

// emailHolder is the active customer whose account the email is, "" when
// none: the reservation stream is the word on it, not a read model. key is
// the email's keyed hash, which names the stream and the email's sign-in
// failures.
func (d Deps) emailHolder(r *http.Request, email string) (holder, key string, err error) {
	if key, err = d.emailKeys.Key(r.Context(), email); err != nil || email == "" {
		return "", key, err
	}
	res, _, err := eventstore.Load(r.Context(), d.Store, customers.EmailStream(key), customers.ReservationDecider)
	if err != nil || !res.Reserved() {
		return "", key, err
	}
	c, _, err := eventstore.Load(r.Context(), d.Store, customers.Stream(res.Holder()), customers.Decider)
	if err != nil || c.Status() != customers.StatusActive {
		return "", key, err
	}
	return res.Holder(), key, nil
}

// customerSignOut ends the customer's session; the browser stays the guest
// it was.
func (d Deps) customerSignOut(w http.ResponseWriter, r *http.Request) {
	if err := d.CustomerSessions.Destroy(r.Context()); err != nil {
		fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// requireCustomer lets in a signed-in customer; anyone else goes to the
// sign-in page (JSON clients get 401).
func requireCustomer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if signedInID(r.Context()) == "" {
			if acceptsJSON(r) || r.Method != http.MethodGet {
				fail(w, r, &requestError{http.StatusUnauthorized, "Sign in first."})
				return
			}
			http.Redirect(w, r, "/account/sign-in?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r)
	})
}
