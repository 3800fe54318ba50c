// Package web is the HTTP interface: routes, handlers, and the mapping of
// errors to responses.
package web

import (
	"context"
	"net/http"
	"net/netip"
	"net/url"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/jackc/pgx/v5/pgxpool"

	"restaurant/domain/menu"
	"restaurant/domain/ordering"
	"restaurant/domain/settings"
	"restaurant/domain/staff"
	"restaurant/internal/accounts"
	"restaurant/internal/eventstore"
	"restaurant/internal/live"
	"restaurant/internal/quota"
	"restaurant/projections"
)

// Deps are what the handlers need.
type Deps struct {
	Pool   *pgxpool.Pool
	Store  *eventstore.Store
	Runner *projections.Runner
	Menus  projections.Menus
	Orders projections.Orders
	Team   projections.Team
	// Customers reads customers and their address books.
	Customers projections.Customers
	Tickets   projections.Tickets
	// Ageing sets when the kitchen display marks a ticket; zero: the default.
	Ageing Ageing
	// Hub tells live screens what changed.
	Hub *live.Hub
	// LivePing is how often live screens are pinged and their access
	// checked again; zero: every 27 s.
	LivePing time.Duration
	// LiveWriteWait is how long a live screen may take to accept a write
	// before it is dropped; zero: 5 s.
	LiveWriteWait time.Duration
	// BodyTimeout bounds the time a request's body may take to arrive,
	// and WriteTimeout the time to write its answer, both from when its
	// headers are read; live sockets have neither. Zero: 15 s and 30 s.
	BodyTimeout, WriteTimeout time.Duration
	// LiveSocketsPerAddress caps the live sockets guests at one client
	// address may hold open; signed-in staff screens are not counted
	// against it. LiveSocketsMax caps all live sockets, staff screens
	// included. Zero: 50 and 5,000.
	LiveSocketsPerAddress, LiveSocketsMax int
	// Sessions keeps staff signed in; Accounts checks who they are.
	Sessions *scs.SessionManager
	Accounts accounts.Accounts
	// CustomerSessions keeps customers signed in (see NewCustomerSessions);
	// CustomerAccounts checks their passwords. Nil sessions: no one can
	// sign in as a customer, and guests order as before.
	CustomerSessions *scs.SessionManager
	CustomerAccounts accounts.Customers
	// OrderCaps bound what one order may hold; zero fields take
	// ordering.DefaultCaps.
	OrderCaps ordering.Caps
	// OrderLimits bound how many orders a guest or an address may open and
	// place an hour; zero fields take DefaultOrderLimits.
	OrderLimits OrderLimits
	// Now is the clock; commands carry the time, the domain has none.
	Now func() time.Time
	// Location is the restaurant's time zone, which its opening hours are
	// in; nil: the server's local zone.
	Location *time.Location
	// Pending reports migrations not yet applied, for readiness.
	Pending func(context.Context) (int, error)
	// RelayExchange is the exchange the relay publishes to, as the
	// catalogue page names it; empty: relay.DefaultExchange.
	RelayExchange string
	// MetricsToken lets a scraper read /metrics on the public address with
	// "Authorization: Bearer <token>"; empty: /metrics is not there (404),
	// only on the metrics address of its own (MetricsHandler).
	MetricsToken string
	// PublicURL is where guests reach the site, e.g. through a proxy that
	// terminates TLS; when it is https every cookie is Secure and every
	// response asks for HTTPS only (Strict-Transport-Security). Its origin
	// passes the cross-origin check even if the proxy changes Host.
	PublicURL *url.URL
	// TrustedProxies are the reverse proxies whose X-Forwarded-For,
	// X-Forwarded-Proto and X-Forwarded-Host are believed; from anyone
	// else those headers are dropped.
	TrustedProxies []netip.Prefix

	quota        quota.Counter
	passkeys     accounts.Passkeys
	menu         *menuCache
	settings     projections.Settings
	settingsLog  *eventstore.Latest[settings.State]
	clock        *clockNotices
	kitchenBoard *shared
	accessChecks *accessChecks
	queue        *queueCache
	rebuilds     *rebuilds
	sockets      *liveSockets
	emailKeys    *accounts.EmailKeys
}

// Handler builds the router: every route in one table.
func Handler(d Deps) http.Handler {
	if d.Now == nil {
		d.Now = time.Now
	}
	d.menu = &menuCache{}
	if d.Location == nil {
		d.Location = time.Local
	}
	d.settings = projections.Settings{Pool: d.Pool}
	d.settingsLog = &eventstore.Latest[settings.State]{Snapshot: settings.Decider.Snapshot}
	d.emailKeys = accounts.NewEmailKeys(d.Pool)
	d.passkeys = accounts.Passkeys{Store: d.Store}
	d.quota = quota.Counter{Pool: d.Pool}
	d.kitchenBoard = &shared{}
	d.accessChecks = newAccessChecks()
	d.queue = &queueCache{}
	d.rebuilds = &rebuilds{progress: map[string]string{}, running: map[string]bool{}}
	if d.LivePing == 0 {
		d.LivePing = pingPeriod
	}
	if d.Hub == nil {
		d.Hub = live.NewHub()
	}
	d.clock = &clockNotices{hub: d.Hub, now: d.Now}
	if d.BodyTimeout <= 0 {
		d.BodyTimeout = defaultBodyTimeout
	}
	if d.WriteTimeout <= 0 {
		d.WriteTimeout = defaultWriteTimeout
	}
	d.sockets = newLiveSockets(d.LiveSocketsPerAddress, d.LiveSocketsMax)
	if d.Ageing == (Ageing{}) {
		d.Ageing = DefaultAgeing
	}
	r := chi.NewRouter()
	r.Use(middleware.Recoverer, securityHeaders, boundRequests, compressText, middleware.GetHead, d.withCustomer)
	r.NotFound(notFound)
	r.MethodNotAllowed(methodNotAllowed)

	r.Get("/", d.showMenu)
	r.Get("/menu", d.showMenuJSON)
	r.Post("/orders/commands/open", d.openOrder)
	r.Get("/orders/{orderID}", d.showOrder)
	r.Get("/orders/{orderID}/commands", d.listCommands)
	r.Post("/orders/{orderID}/items/commands/add", d.addItem)
	r.Post("/orders/{orderID}/items/{lineID}/commands/remove", d.removeItem)
	r.Post("/orders/{orderID}/items/{lineID}/commands/change-quantity", d.changeQuantity)
	r.Post("/orders/{orderID}/items/{lineID}/commands/change-options", d.changeOptions)
	r.Post("/orders/{orderID}/commands/choose-pickup", d.choosePickup)
	r.Post("/orders/{orderID}/commands/add-delivery-address", d.giveDeliveryAddress)
	r.Post("/orders/{orderID}/commands/give-contact", d.giveContact)
	r.Post("/orders/{orderID}/commands/place", d.placeOrder)
	r.Post("/orders/{orderID}/commands/cancel", d.cancelOrder)
	r.Post("/orders/{orderID}/commands/schedule", d.scheduleOrder)
	r.Post("/orders/{orderID}/commands/clear-schedule", d.clearSchedule)

	if d.CustomerSessions != nil {
		r.Group(func(r chi.Router) {
			r.Use(loadSessions(d.CustomerSessions))
			r.Get("/account/sign-up", d.showSignUp)
			r.Post("/account/commands/sign-up", d.signUp)
			r.Get("/account/sign-in", d.showCustomerSignIn)
			r.Post("/account/sign-in", d.customerSignIn)
			r.Post("/account/sign-in/passkey/challenges", d.beginPasskeySignIn)
			r.Post("/account/sign-in/passkey", d.passkeySignIn)
			r.Post("/account/sign-out", d.customerSignOut)
			r.Group(func(r chi.Router) {
				r.Use(requireCustomer)
				r.Get("/account", d.showCustomerAccount)
				r.Post("/account/commands/change-details", d.changeCustomerDetails)
				r.Post("/account/addresses/commands/add", d.addAddress)
				r.Post("/account/addresses/{addressID}/commands/change", d.changeAddress)
				r.Post("/account/addresses/{addressID}/commands/remove", d.removeAddress)
				r.Post("/account/addresses/{addressID}/commands/make-default", d.chooseDefaultAddress)
				r.Post("/account/passkeys/challenges", d.beginAddPasskey)
				r.Post("/account/passkeys/commands/add", d.addPasskey)
				r.Post("/account/passkeys/{passkeyID}/commands/remove", d.removePasskey)
				r.Get("/account/orders", d.showMyOrders)
				r.Post("/account/orders/{orderID}/commands/order-again", d.orderAgain)
				r.Post("/account/commands/erase", d.eraseOwnAccount)
			})
		})
	}

	// Live screens read the staff session and never write it back (see
	// followLive), so they stay out of the session middleware.
	r.Get(live.Path, d.followLive)
	r.Group(func(r chi.Router) {
		r.Use(loadSessions(d.Sessions))
		r.Get("/login", d.showLogin)
		r.Post("/login", d.login)
		r.Post("/logout", d.logout)
		r.Route("/kitchen", func(r chi.Router) {
			r.Use(d.requireRole(staff.Kitchen, staff.Manager))
			r.Get("/", d.kitchenNowOrThen)
			r.Get("/expo", d.showExpo)
			r.Post("/tickets/{ticketID}/commands/start", d.startTicket)
			r.Post("/tickets/{ticketID}/commands/ready", d.bumpTicket)
			r.Post("/tickets/{ticketID}/commands/recall", d.recallTicket)
			r.Post("/tickets/{ticketID}/commands/hand-over", d.handOverTicket)
			r.Post("/tickets/{ticketID}/commands/delivered", d.deliverTicket)
			r.Post("/tickets/{ticketID}/commands/recall-to-stations", d.recallToStations)
			r.Post("/tickets/{ticketID}/items/{lineID}/commands/bump", d.bumpLine)
			r.Post("/tickets/{ticketID}/items/{lineID}/commands/recall", d.recallLine)
			r.Post("/tickets/{ticketID}/items/{lineID}/commands/fire", d.fireLine)
			r.Route("/stations", func(r chi.Router) {
				r.Use(d.requireRole(staff.Manager))
				r.Post("/commands/add", d.addStation)
				r.Post("/{stationID}/commands/rename", d.renameStation)
				r.Post("/{stationID}/commands/remove", d.removeStation)
				r.Post("/{stationID}/commands/route-category", d.routeCategory)
				r.Post("/{stationID}/commands/route-dish", d.routeDish)
				r.Post("/{stationID}/commands/unroute", d.unroute)
			})
		})
		r.Route("/menu/items", func(r chi.Router) {
			// Cooks mark dishes sold out and back in stock from the
			// kitchen display; the rest of the menu is the managers'.
			r.With(d.requireRole(staff.Kitchen, staff.Manager)).Post("/{itemID}/commands/sold-out", d.simpleMenuCommand(menu.MarkSoldOut{}))
			r.With(d.requireRole(staff.Kitchen, staff.Manager)).Post("/{itemID}/commands/back-in-stock", d.simpleMenuCommand(menu.MarkBackInStock{}))
			r.Group(func(r chi.Router) {
				r.Use(d.requireRole(staff.Manager))
				r.Post("/commands/add", d.addMenuItem)
				r.Post("/{itemID}/commands/modify", d.modifyMenuItem)
				r.Post("/{itemID}/commands/remove", d.simpleMenuCommand(menu.RemoveMenuItem{}))
				r.Post("/{itemID}/commands/set-portions", d.setPortions)
				r.Post("/{itemID}/commands/clear-portions", d.clearPortions)
				r.Post("/{itemID}/commands/set-prep-time", d.setPrepTime)
				r.Post("/{itemID}/commands/upload-photo", d.uploadPhoto)
				r.Post("/{itemID}/commands/remove-photo", d.simpleMenuCommand(menu.RemovePhoto{}))
				r.Post("/{itemID}/options/commands/add", d.addOptionGroup)
				r.Post("/{itemID}/options/{groupID}/commands/rename", d.renameOptionGroup)
				r.Post("/{itemID}/options/{groupID}/commands/set-rules", d.setOptionGroupRules)
				r.Post("/{itemID}/options/{groupID}/commands/remove", d.removeOptionGroup)
				r.Post("/{itemID}/options/{groupID}/choices/commands/add", d.addOptionChoice)
				r.Post("/{itemID}/options/{groupID}/choices/{choiceID}/commands/remove", d.removeOptionChoice)
			})
		})
		r.Route("/online-orders", func(r chi.Router) {
			r.Use(d.requireRole(staff.Kitchen, staff.Manager))
			r.Post("/commands/pause", d.pauseOnlineOrders)
			r.Post("/commands/resume", d.resumeOnlineOrders)
		})
		r.Route("/settings", func(r chi.Router) {
			r.Use(d.requireRole(staff.Manager))
			r.Post("/commands/set-hours", d.setOpeningHours)
			r.Post("/commands/set-pace", d.setPace)
			r.Post("/commands/set-fire-by-prep-time", d.setFireByPrepTime)
			r.Post("/closed-days/commands/add", d.addClosedDay)
			r.Post("/closed-days/{date}/commands/remove", d.removeClosedDay)
		})
		r.Route("/menu/categories", func(r chi.Router) {
			r.Use(d.requireRole(staff.Manager))
			r.Post("/commands/add", d.addCategory)
			r.Post("/{categoryID}/commands/rename", d.renameCategory)
			r.Post("/{categoryID}/commands/move", d.moveCategory)
			r.Post("/{categoryID}/commands/remove", d.removeCategory)
		})
		r.Route("/staff", func(r chi.Router) {
			r.Use(d.requireRole(staff.Kitchen, staff.Manager))
			r.Get("/", d.staffHome)
			r.Get("/account", d.showAccount)
			r.Post("/account/commands/change-password", d.changeOwnPassword)
			r.Get("/events/catalogue", d.showEventCatalogue)
			r.Group(func(r chi.Router) {
				r.Use(d.requireRole(staff.Manager))
				r.Get("/menu", d.showStaffMenu)
				r.Get("/stations", d.showStations)
				r.Get("/settings", d.showSettings)
				r.Get("/orders", d.showStaffOrders)
				r.Post("/orders/commands/cancel", d.cancelOrders)
				r.Get("/orders/{orderID}/history", d.showHistory)
				r.Get("/reports", d.showReports)
				r.Get("/reports/sales.csv", d.reportCSV("sales", d.salesCSV))
				r.Get("/reports/items.csv", d.reportCSV("items", d.itemsCSV))
				r.Get("/reports/prep.csv", d.reportCSV("prep", d.prepCSV))
				r.Get("/reports/cancellations.csv", d.reportCSV("cancellations", d.cancellationsCSV))
				r.Get("/reports/takings.csv", d.reportCSV("takings", d.takingsCSV))
				r.Get("/events", d.showEventLog)
				r.Get("/projections", d.showProjections)
				r.Post("/projections/{name}/commands/rebuild", d.rebuildProjection)
				r.Get("/customers", d.showStaffCustomers)
				r.Post("/customers/{customerID}/commands/erase", d.eraseCustomerOnRequest)
				r.Get("/team", d.showTeam)
				r.Post("/team/commands/add", d.addStaff)
				r.Post("/team/{username}/commands/change-role", d.changeRole)
				r.Post("/team/{username}/commands/disable", d.disableStaff)
				r.Post("/team/{username}/commands/enable", d.enableStaff)
				r.Post("/team/{username}/commands/set-password", d.setStaffPassword)
			})
		})
	})

	r.Get("/healthz", healthz)
	r.Get("/readyz", d.readyz)
	r.Handle("/metrics", d.guardedMetrics())
	r.Handle("/static/*", staticHandler())
	r.Get("/photos/{photoID}/{file}", d.servePhoto)

	protect := http.NewCrossOriginProtection()
	https := false
	if u := d.PublicURL; u != nil && u.Host != "" {
		https = u.Scheme == "https"
		_ = protect.AddTrustedOrigin(u.Scheme + "://" + u.Host) // a scheme and a host: it cannot fail
	}
	// The proxies' word comes first, so every bound and check sees the
	// client's own address.
	return proxies{trusted: d.TrustedProxies, https: https}.handle(boundIO(d.BodyTimeout, d.WriteTimeout, protect.Handler(r)))
}

// securityHeaders sets a Content-Security-Policy without inline scripts and
// the usual hardening headers on every response.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// gzipText compresses the pages, stylesheet, scripts and JSON for clients
// that accept it: a phone on a slow network gets the menu in a fraction of
// the bytes. Photos are JPEG already and stay as they are.
var gzipText = middleware.Compress(5, "text/html", "text/css", "text/javascript", "application/javascript",
	"application/json", "application/problem+json", "image/svg+xml")

// compressText compresses every answer but the live screens' websockets,
// whose frames the connection carries as they are.
func compressText(next http.Handler) http.Handler {
	compressed := gzipText(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == live.Path {
			next.ServeHTTP(w, r)
			return
		}
		compressed.ServeHTTP(w, r)
	})
}

// requestDeadline bounds every request's work, database waits included
// (connecting, waiting for a pooled connection, queries), where a handler
// sets no shorter bound of its own: a request is answered, with 503 at
// worst, rather than held.
const requestDeadline = 15 * time.Second

// boundRequests puts the deadline on every request but the live screens'
// websockets, which last as long as the screen is open.
func boundRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == live.Path {
			next.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), requestDeadline)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// withTimeout bounds a handler's database work.
func withTimeout(r *http.Request, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), d)
}
