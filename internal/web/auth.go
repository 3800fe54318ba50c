package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/alexedwards/scs/postgresstore"
	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"restaurant/domain/staff"
	"restaurant/internal/accounts"
	"restaurant/views"
)

// staffKey is where a session keeps who signed in.
const staffKey = "staff"

// NewSessions makes the staff session manager, stored in PostgreSQL.
// Call the returned function at shutdown.
func NewSessions(pool *pgxpool.Pool) (*scs.SessionManager, func()) {
	db := stdlib.OpenDBFromPool(pool)
	store := &sessionStore{PostgresStore: postgresstore.NewWithCleanupInterval(db, 10*time.Minute), pool: pool, lifetime: 12 * time.Hour}
	s := scs.New()
	s.Store = store
	s.Lifetime = store.lifetime
	s.IdleTimeout = 2 * time.Hour
	s.Cookie.Name = "staff_session"
	s.Cookie.HttpOnly = true
	s.Cookie.SameSite = http.SameSiteLaxMode
	// A session that cannot be read or saved (the database is away) is
	// answered like any other error: 503 while the database is unreachable.
	s.ErrorFunc = fail
	return s, func() { store.StopCleanup(); db.Close() }
}

type staffCtxKey struct{}

// signedIn returns the staff member the request was let in as.
func signedIn(ctx context.Context) staff.State {
	m, _ := ctx.Value(staffCtxKey{}).(staff.State)
	return m
}

// staffActor names the signed-in member in the event log.
func staffActor(ctx context.Context) string { return "staff:" + signedIn(ctx).Username }

func staffNav(ctx context.Context) views.StaffNav {
	m := signedIn(ctx)
	return views.StaffNav{Username: m.Username, Role: string(m.Role)}
}

// requireRole lets in signed-in staff with one of the roles: an anonymous
// visitor goes to the sign-in page, a member without the role gets 403.
// Who may do what is read from the member's stream on every request, so a
// disabled account or a changed role counts at once.
func (d Deps) requireRole(roles ...staff.Role) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			username := d.Sessions.GetString(r.Context(), staffKey)
			var m staff.State
			if username != "" {
				var err error
				if m, err = d.Accounts.Member(r.Context(), username); err != nil {
					fail(w, r, err)
					return
				}
			}
			if !m.Exists || m.Disabled {
				if username != "" {
					_ = d.Sessions.Destroy(r.Context())
				}
				if acceptsJSON(r) {
					fail(w, r, &requestError{http.StatusUnauthorized, "Sign in as staff first."})
					return
				}
				http.Redirect(w, r, "/login?"+url.Values{"next": {r.URL.RequestURI()}}.Encode(), http.StatusSeeOther)
				return
			}
			if !slices.Contains(roles, m.Role) {
				fail(w, r, &requestError{http.StatusForbidden, fmt.Sprintf("Your role (%s) may not open this page.", m.Role)})
				return
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), staffCtxKey{}, m)))
		})
	}
}

func (d Deps) showLogin(w http.ResponseWriter, r *http.Request) {
	render(w, r, http.StatusOK, views.LoginPage(views.LoginView{Next: localPath(r.URL.Query().Get("next"))}))
}

// localPath keeps a redirect target on this site: a path of ours, never a
// scheme, a host, or something a browser may read as one ("//", "/\\",
// tabs and newlines, which browsers strip).
func localPath(p string) string {
	const fallback = "/staff"
	if strings.ContainsAny(p, "\\\t\r\n") || !strings.HasPrefix(p, "/") {
		return fallback
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.RawPath != "" ||
		strings.ContainsAny(u.Path, "\\\t\r\n") {
		return fallback
	}
	clean := path.Clean(u.Path)
	if !strings.HasPrefix(clean, "/") || strings.HasPrefix(clean, "//") {
		return fallback
	}
	u.Path = clean
	return u.RequestURI()
}

// loginForm reads the sign-in form: usernames are lowercase, and where to
// go afterwards is a path of this site.
func loginForm(in input) (username, password, next string) {
	return strings.ToLower(strings.TrimSpace(in.values["username"])), in.values["password"], localPath(in.values["next"])
}

// login signs a staff member in: a new session id, then home or where they
// were going. The brakes on guessing are the accounts' (see
// accounts.Brakes): an address that failed too often waits, with 429 and
// Retry-After; an account being guessed at only slows down.
func (d Deps) login(w http.ResponseWriter, r *http.Request) {
	in, err := readInput(w, r)
	if err != nil {
		fail(w, r, err)
		return
	}
	username, password, next := loginForm(in)
	v := views.LoginView{Username: username, Next: next}
	ctx := r.Context()
	m, err := d.Accounts.SignIn(ctx, username, password, clientAddress(r))
	var throttled *accounts.ThrottledError
	switch {
	case errors.As(err, &throttled):
		w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(throttled.Wait.Seconds()))))
		v.Message = "Too many failed sign-ins from this address. Please wait " + waitInWords(throttled.Wait) + " and try again."
		render(w, r, http.StatusTooManyRequests, views.LoginPage(v))
		return
	case errors.Is(err, accounts.ErrWrongCredentials):
		slog.InfoContext(ctx, "failed staff sign-in", "username", username, "address", clientAddress(r))
		v.Message = "Wrong username or password."
		render(w, r, http.StatusUnauthorized, views.LoginPage(v))
		return
	case err != nil:
		fail(w, r, err)
		return
	}
	// A new session id at sign-in: a token planted before cannot ride along.
	if err := d.Sessions.RenewToken(ctx); err != nil {
		fail(w, r, err)
		return
	}
	d.Sessions.Put(ctx, staffKey, m.Username)
	if err := recordStaffSession(ctx, d.Pool, d.Sessions.Token(ctx), m.Username, d.Sessions.Lifetime); err != nil {
		fail(w, r, err)
		return
	}
	slog.InfoContext(ctx, "staff signed in", "username", m.Username, "role", m.Role)
	http.Redirect(w, r, v.Next, http.StatusSeeOther)
}

// waitInWords says a wait the way people read it: seconds under a minute,
// minutes after.
func waitInWords(wait time.Duration) string {
	if wait < time.Minute {
		return plural(int(math.Ceil(wait.Seconds())), "second", "seconds")
	}
	return plural(int(math.Ceil(wait.Minutes())), "minute", "minutes")
}

func (d Deps) logout(w http.ResponseWriter, r *http.Request) {
	if err := d.Sessions.Destroy(r.Context()); err != nil {
		fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (d Deps) staffHome(w http.ResponseWriter, r *http.Request) {
	render(w, r, http.StatusOK, views.StaffHome(staffNav(r.Context())))
}
