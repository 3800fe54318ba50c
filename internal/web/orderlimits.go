package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/netip"
	"time"

	"github.com/google/uuid"

	"restaurant/internal/quota"
)

// OrderLimits bound how many orders one guest, and one client address, may
// open and place an hour, so that a script cannot flood the kitchen. A
// family or an office behind one address orders a few times an hour; a
// guest who makes fresh guests for every request still counts against the
// address.
type OrderLimits struct {
	OpenedPerGuest, OpenedPerAddress int
	PlacedPerGuest, PlacedPerAddress int
}

// DefaultOrderLimits suit a restaurant that takes orders from homes and
// offices.
var DefaultOrderLimits = OrderLimits{OpenedPerGuest: 10, OpenedPerAddress: 40, PlacedPerGuest: 5, PlacedPerAddress: 20}

// orDefault fills what the restaurant did not set from DefaultOrderLimits.
func (l OrderLimits) orDefault() OrderLimits {
	pick := func(v, fallback int) int {
		if v > 0 {
			return v
		}
		return fallback
	}
	d := DefaultOrderLimits
	return OrderLimits{
		OpenedPerGuest: pick(l.OpenedPerGuest, d.OpenedPerGuest), OpenedPerAddress: pick(l.OpenedPerAddress, d.OpenedPerAddress),
		PlacedPerGuest: pick(l.PlacedPerGuest, d.PlacedPerGuest), PlacedPerAddress: pick(l.PlacedPerAddress, d.PlacedPerAddress),
	}
}

// quotaPeriod is the window the limits count in.
const quotaPeriod = time.Hour

// orderAction is what the limits count: opening or placing orders.
type orderAction string

const (
	opening orderAction = "opened"
	placing orderAction = "placed"
)

// tooManyOrders is a limit reached: 429, with when to come back.
type tooManyOrders struct {
	detail string
	wait   time.Duration
}

func (e *tooManyOrders) Error() string { return e.detail }

// retryAfterSeconds is the Retry-After of a reached limit, in whole seconds.
func (e *tooManyOrders) retryAfterSeconds() string {
	return fmt.Sprint(max(1, int(math.Ceil(e.wait.Seconds()))))
}

// takeOrderQuota counts one order opened or placed against the guest and
// the client's address, or refuses with tooManyOrders. giveBack returns the
// use, for a command that turned out to write nothing. A command that ran
// before is not counted again: its repeat answers as it did.
func (d Deps) takeOrderQuota(ctx context.Context, r *http.Request, guest string, action orderAction, command uuid.UUID) (giveBack func(), err error) {
	if _, ran, err := d.Store.Command(ctx, command); err != nil || ran {
		return func() {}, err
	}
	limits := d.OrderLimits.orDefault()
	perGuest, perAddress := limits.OpenedPerGuest, limits.OpenedPerAddress
	if action == placing {
		perGuest, perAddress = limits.PlacedPerGuest, limits.PlacedPerAddress
	}
	byGuest := quota.Limit{Key: string(action) + ":" + guest, Max: perGuest}
	byAddress := quota.Limit{Key: string(action) + ":address:" + addressKey(r), Max: perAddress}
	now := d.Now()
	window := now.UTC().Truncate(quotaPeriod)
	refused, ok, err := d.quota.Take(ctx, window, byGuest, byAddress)
	if err != nil {
		return nil, err
	}
	if !ok {
		wait := window.Add(quotaPeriod).Sub(now)
		slog.InfoContext(ctx, "order limit reached", "limit", refused.Key, "max", refused.Max, "address", clientAddress(r))
		return nil, &tooManyOrders{detail: limitMessage(action, refused == byAddress, refused.Max, wait), wait: wait}
	}
	return func() {
		// The request's own context may be ending; giving back is quick.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		if err := d.quota.Return(ctx, window, byGuest.Key, byAddress.Key); err != nil {
			slog.WarnContext(ctx, "order limit use not given back", "error", err)
		}
	}, nil
}

// limitMessage tells a guest which limit they met and when to try again.
func limitMessage(action orderAction, byAddress bool, most int, wait time.Duration) string {
	verb := "placed"
	if action == opening {
		verb = "started"
	}
	minutes := max(1, int(math.Ceil(wait.Minutes())))
	later := fmt.Sprintf("Please try again in %s, or call us.", plural(minutes, "minute", "minutes"))
	if byAddress {
		return fmt.Sprintf("%d orders were %s from your network this hour, the most we take online from one place. %s", most, verb, later)
	}
	return fmt.Sprintf("You have %s %d orders this hour, the most we take online from one guest. %s", verb, most, later)
}

// addressKey names the client's address in the counts: hashed, and for
// IPv6 the /64 network, which one household or office is given whole.
func addressKey(r *http.Request) string {
	a := clientAddress(r)
	if ip, err := netip.ParseAddr(a); err == nil && ip.Is6() && !ip.Is4In6() {
		p, _ := ip.Prefix(64)
		a = p.String()
	}
	sum := sha256.Sum256([]byte(a))
	return hex.EncodeToString(sum[:12])
}

// wroteNothing says a command's run changed nothing: it failed, was a
// repeat, or decided no events.
func wroteNothing(err error, duplicate bool, events int) bool {
	return err != nil || duplicate || events == 0
}

// tooMany finds a reached limit in err, or nil.
func tooMany(err error) *tooManyOrders {
	var e *tooManyOrders
	if errors.As(err, &e) {
		return e
	}
	return nil
}
