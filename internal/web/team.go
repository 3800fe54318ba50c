package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/go-chi/chi/v5"

	"restaurant/domain"
	"restaurant/domain/staff"
	"restaurant/internal/accounts"
	"restaurant/internal/eventstore"
	"restaurant/views"
)

// showTeam is the manager's page of staff accounts.
func (d Deps) showTeam(w http.ResponseWriter, r *http.Request) {
	d.waitFor(r, "staff")
	d.renderTeam(w, r, http.StatusOK, nil)
}

func (d Deps) renderTeam(w http.ResponseWriter, r *http.Request, status int, fe *views.FormError) {
	members, err := d.Team.All(r.Context())
	if err != nil {
		fail(w, r, err)
		return
	}
	me := signedIn(r.Context())
	v := views.TeamView{Nav: staffNav(r.Context()), Error: fe, CommandID: commandIDs()}
	for _, m := range members {
		v.Members = append(v.Members, views.MemberView{Username: m.Username, Role: string(m.Role), Disabled: m.Disabled,
			UpdatedAt: m.UpdatedAt, Self: m.Username == me.Username})
	}
	if v.SignInAlerts, err = d.signInAlerts(r.Context()); err != nil {
		fail(w, r, err)
		return
	}
	if r.URL.Query().Get("done") == "password" {
		v.Flash = "The password was changed."
	}
	render(w, r, status, views.TeamPage(v))
}

// signInAlerts tells managers of the accounts with failed sign-ins in the
// last hour.
func (d Deps) signInAlerts(ctx context.Context) ([]string, error) {
	failures, err := d.Accounts.RecentFailures(ctx)
	if err != nil {
		return nil, err
	}
	alerts := make([]string, 0, len(failures))
	for _, f := range failures {
		alerts = append(alerts, fmt.Sprintf("%s for %s in the last hour from %s",
			plural(f.Failures, "failed sign-in", "failed sign-ins"), f.Username, plural(f.Addresses, "address", "addresses")))
	}
	return alerts, nil
}

// plural counts things in words: "1 order", "3 orders".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// teamCommand runs a staff command from the team page and answers like
// every command: 303 back to the page, or the page again with the message.
func (d Deps) teamCommand(w http.ResponseWriter, r *http.Request, form, username, done string, run func(in input, actor string) (eventstore.Result, error)) {
	in, err := readInput(w, r)
	if err != nil {
		fail(w, r, err)
		return
	}
	ctx, cancel := withTimeout(r, 10*time.Second)
	defer cancel()
	r = r.WithContext(ctx)
	res, err := run(in, staffActor(ctx))
	if err != nil {
		commandFailed(w, r, in, err, func(status int) { d.renderTeam(w, r, status, formError(r, form, in, err)) })
		return
	}
	if in.json {
		accepted(w, http.StatusAccepted, res, map[string]any{"username": username})
		return
	}
	var extra url.Values
	if done != "" {
		extra = url.Values{"done": {done}}
	}
	redirectAfter(w, r, "/staff/team", extra)
}

func (d Deps) addStaff(w http.ResponseWriter, r *http.Request) {
	d.teamCommand(w, r, "add", "", "", func(in input, actor string) (eventstore.Result, error) {
		username, role, password, err := addStaffForm(in)
		if err != nil {
			return eventstore.Result{}, err
		}
		if err := d.Accounts.Add(r.Context(), username, role, password, actor); err != nil {
			return eventstore.Result{}, err
		}
		return d.headResult(r)
	})
}

// addStaffForm reads the add-member form; the accounts check the username
// and the password.
func addStaffForm(in input) (username string, role staff.Role, password string, err error) {
	role, err = staff.ParseRole(in.values["role"])
	return in.values["username"], role, in.values["password"], err
}

// memberCommand is a command on one staff member, by the URI's username.
func (d Deps) memberCommand(build func(in input) (staff.Command, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		username := chi.URLParam(r, "username")
		d.teamCommand(w, r, "member-"+username, username, "", func(in input, actor string) (eventstore.Result, error) {
			cmd, err := build(in)
			if err != nil {
				return eventstore.Result{}, err
			}
			if signedIn(r.Context()).Username == username {
				// Someone must stay able to manage the team.
				switch c := cmd.(type) {
				case staff.Disable:
					return eventstore.Result{}, domain.Conflict("You cannot disable yourself; ask another manager.")
				case staff.ChangeRole:
					if c.Role != staff.Manager {
						return eventstore.Result{}, domain.Conflict("You cannot give up your own manager role; ask another manager.")
					}
				}
			}
			m, err := d.Accounts.Member(r.Context(), username)
			if err != nil {
				return eventstore.Result{}, err
			}
			if !m.Exists {
				return eventstore.Result{}, domain.NotFound("There is no such staff member.")
			}
			res, err := d.Accounts.Run(r.Context(), username, in.meta(actor, actor), cmd)
			if err != nil {
				return res, err
			}
			switch cmd.(type) {
			case staff.Disable:
				// Their sessions are of no use any more (every request
				// reads the member's stream); ending them closes their
				// live screens at once.
				if err := d.endTrust(r.Context(), username, ""); err != nil {
					slog.ErrorContext(r.Context(), "end a disabled member's sessions", "username", username, "error", err)
				}
			case staff.ChangeRole:
				d.accessChanged(r.Context(), username)
			}
			return res, nil
		})
	}
}

func (d Deps) changeRole(w http.ResponseWriter, r *http.Request) {
	d.memberCommand(changeRoleCommand)(w, r)
}

// changeRoleCommand reads the change-role form.
func changeRoleCommand(in input) (staff.Command, error) {
	role, err := staff.ParseRole(in.values["role"])
	return staff.ChangeRole{Role: role}, err
}

func (d Deps) disableStaff(w http.ResponseWriter, r *http.Request) {
	d.memberCommand(func(input) (staff.Command, error) { return staff.Disable{}, nil })(w, r)
}

func (d Deps) enableStaff(w http.ResponseWriter, r *http.Request) {
	d.memberCommand(func(input) (staff.Command, error) { return staff.Enable{}, nil })(w, r)
}

// setStaffPassword is a manager setting a member's password. Resetting a
// manager's (their own too) asks for the acting manager's own password
// again: a session left open must not hand over another manager's account.
// The member's other sessions end.
func (d Deps) setStaffPassword(w http.ResponseWriter, r *http.Request) {
	username := chi.URLParam(r, "username")
	d.teamCommand(w, r, "member-"+username, username, "password", func(in input, actor string) (eventstore.Result, error) {
		m, err := d.Accounts.Member(r.Context(), username)
		if err != nil {
			return eventstore.Result{}, err
		}
		if !m.Exists {
			return eventstore.Result{}, domain.NotFound("There is no such staff member.")
		}
		password := in.values["password"]
		if err := accounts.CheckPassword(username, password); err != nil {
			return eventstore.Result{}, err
		}
		self := signedIn(r.Context()).Username == username
		keep := ""
		if self {
			keep = d.Sessions.Token(r.Context())
		}
		if m.Role == staff.Manager {
			wrong := "Your own password is not right; it is needed to reset another manager's password."
			if self {
				wrong = "Your current password is not right."
			}
			if err := d.confirmPassword(w, r, in.values["current_password"], wrong); err != nil {
				return eventstore.Result{}, err
			}
		}
		if err := d.changePassword(r.Context(), username, password, actor, keep); err != nil {
			return eventstore.Result{}, err
		}
		return d.headResult(r)
	})
}

// headResult is the place in the log a page must wait for after commands
// that wrote through several calls.
func (d Deps) headResult(r *http.Request) (eventstore.Result, error) {
	head, err := d.Store.Head(r.Context())
	return eventstore.Result{Position: head.Position, Cursor: head}, err
}
