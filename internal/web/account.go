package web

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"time"

	"restaurant/domain"
	"restaurant/internal/accounts"
	"restaurant/views"
)

// showAccount is a staff member's own page: change their password.
func (d Deps) showAccount(w http.ResponseWriter, r *http.Request) {
	v := views.AccountView{Nav: staffNav(r.Context())}
	if r.URL.Query().Get("done") == "password" {
		v.Flash = "Your password was changed; your other sessions were signed out."
	}
	render(w, r, http.StatusOK, views.AccountPage(v))
}

// changeOwnPassword changes the signed-in member's password once they have
// given the current one; this session stays, the others end.
func (d Deps) changeOwnPassword(w http.ResponseWriter, r *http.Request) {
	in, err := readInput(w, r)
	if err != nil {
		fail(w, r, err)
		return
	}
	ctx, cancel := withTimeout(r, 10*time.Second)
	defer cancel()
	r = r.WithContext(ctx)
	me := signedIn(ctx)
	err = accounts.CheckPassword(me.Username, in.values["password"])
	if err == nil {
		err = d.confirmPassword(w, r, in.values["current_password"], "Your current password is not right.")
	}
	if err == nil {
		err = d.changePassword(ctx, me.Username, in.values["password"], staffActor(ctx), d.Sessions.Token(ctx))
	}
	if err != nil {
		commandFailed(w, r, in, err, func(status int) {
			render(w, r, status, views.AccountPage(views.AccountView{Nav: staffNav(ctx), Error: formError(r, "password", in, err)}))
		})
		return
	}
	if in.json {
		writeJSON(w, http.StatusOK, "application/json", map[string]any{"username": me.Username})
		return
	}
	redirectAfter(w, r, "/staff/account", map[string][]string{"done": {"password"}})
}

// confirmPassword asks for the signed-in member's own password again, with
// the brakes of a sign-in: tries count as sign-ins from this address.
func (d Deps) confirmPassword(w http.ResponseWriter, r *http.Request, password, wrong string) error {
	if password == "" {
		return domain.Invalid("current_password", "%s", wrong)
	}
	_, err := d.Accounts.SignIn(r.Context(), signedIn(r.Context()).Username, password, clientAddress(r))
	var throttled *accounts.ThrottledError
	switch {
	case errors.As(err, &throttled):
		w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(throttled.Wait.Seconds()))))
		return &requestError{http.StatusTooManyRequests, "Too many failed sign-ins from this address. Please wait " + waitInWords(throttled.Wait) + " and try again."}
	case errors.Is(err, accounts.ErrWrongCredentials):
		return domain.Invalid("current_password", "%s", wrong)
	}
	return err
}

// changePassword sets a member's password and ends their sessions but keep.
func (d Deps) changePassword(ctx context.Context, username, password, actor, keep string) error {
	if err := d.Accounts.SetPassword(ctx, username, password, actor); err != nil {
		return err
	}
	return d.endTrust(ctx, username, keep)
}
