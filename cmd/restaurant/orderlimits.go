package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"

	"restaurant/domain"
	"restaurant/domain/ordering"
	"restaurant/internal/web"
)

// orderLimits are the settings that keep one guest or one address from
// flooding the kitchen, and one order from holding a banquet.
type orderLimits struct {
	perHour web.OrderLimits
	caps    ordering.Caps
}

// orderLimitFlags adds the order limits to a flag set, each defaulting from
// its environment variable; read checks them once the flags are parsed.
func orderLimitFlags(fs *flag.FlagSet, getenv func(string) string) (read func() (orderLimits, error)) {
	var l orderLimits
	var errs []error
	count := func(p *int, name, env string, fallback int, usage string) {
		v := fallback
		if s := getenv(env); s != "" {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not a whole number", env, s))
			}
			v = n
		}
		fs.IntVar(p, name, v, usage+" ("+env+")")
	}
	d := web.DefaultOrderLimits
	count(&l.perHour.OpenedPerGuest, "orders-opened-per-hour-per-guest", "ORDERS_OPENED_PER_HOUR_PER_GUEST", d.OpenedPerGuest,
		"orders one guest may start an hour")
	count(&l.perHour.OpenedPerAddress, "orders-opened-per-hour-per-address", "ORDERS_OPENED_PER_HOUR_PER_ADDRESS", d.OpenedPerAddress,
		"orders one client address (an IPv6 /64) may start an hour, whatever guests it claims to be")
	count(&l.perHour.PlacedPerGuest, "orders-placed-per-hour-per-guest", "ORDERS_PLACED_PER_HOUR_PER_GUEST", d.PlacedPerGuest,
		"orders one guest may place an hour")
	count(&l.perHour.PlacedPerAddress, "orders-placed-per-hour-per-address", "ORDERS_PLACED_PER_HOUR_PER_ADDRESS", d.PlacedPerAddress,
		"orders one client address may place an hour")
	count(&l.caps.MaxDishes, "order-max-dishes", "ORDER_MAX_DISHES", ordering.DefaultCaps.MaxDishes,
		"dishes one order may hold in all")
	total := envOr(getenv, "ORDER_MAX_TOTAL", euros(ordering.DefaultCaps.MaxTotal))
	fs.StringVar(&total, "order-max-total", total, "the most one order may cost, in euros (ORDER_MAX_TOTAL)")
	return func() (orderLimits, error) {
		if len(errs) > 0 {
			return l, errs[0]
		}
		for _, c := range []struct {
			name string
			v    int
		}{
			{"orders-opened-per-hour-per-guest", l.perHour.OpenedPerGuest}, {"orders-opened-per-hour-per-address", l.perHour.OpenedPerAddress},
			{"orders-placed-per-hour-per-guest", l.perHour.PlacedPerGuest}, {"orders-placed-per-hour-per-address", l.perHour.PlacedPerAddress},
			{"order-max-dishes", l.caps.MaxDishes},
		} {
			if c.v < 1 {
				return l, fmt.Errorf("-%s: %d is not a positive number", c.name, c.v)
			}
		}
		m, err := parseEuros(total)
		if err != nil {
			return l, fmt.Errorf("-order-max-total (ORDER_MAX_TOTAL): %w", err)
		}
		l.caps.MaxTotal = m
		return l, nil
	}
}

// parseEuros reads an amount of euros such as "500" or "499.90".
func parseEuros(s string) (domain.Money, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "€")
	whole, frac, hasFrac := strings.Cut(s, ".")
	if hasFrac && (len(frac) == 0 || len(frac) > 2) {
		return domain.Money{}, fmt.Errorf("%q is not an amount of euros like 500 or 499.90", s)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	e, err1 := strconv.ParseInt(whole, 10, 64)
	c, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || e < 0 || c < 0 || e > 1e12 || e*100+c < 1 {
		return domain.Money{}, fmt.Errorf("%q is not an amount of euros like 500 or 499.90", s)
	}
	return domain.Cents(e*100 + c), nil
}

// euros writes an amount as parseEuros reads it.
func euros(m domain.Money) string { return fmt.Sprintf("%d.%02d", m.Amount/100, m.Amount%100) }

// unlimitedOrders lifts the limits on orders per guest and per address, for
// a server under a load that orders from one address again and again.
var unlimitedOrders = map[string]string{
	"ORDERS_OPENED_PER_HOUR_PER_GUEST": "1000000000", "ORDERS_OPENED_PER_HOUR_PER_ADDRESS": "1000000000",
	"ORDERS_PLACED_PER_HOUR_PER_GUEST": "1000000000", "ORDERS_PLACED_PER_HOUR_PER_ADDRESS": "1000000000",
}
