package ordering

import "restaurant/domain"

// Caps bound what one order may hold, so that a mistake or a flood cannot
// send the kitchen a thousand dishes: larger orders are taken by phone. The
// restaurant sets them; they come in with the commands that fill an order,
// since this package reads no configuration.
type Caps struct {
	// MaxDishes is how many dishes an order may hold in all, counting
	// quantities; zero takes DefaultCaps'.
	MaxDishes int
	// MaxTotal is the most an order may cost; a zero amount takes
	// DefaultCaps'.
	MaxTotal domain.Money
}

// DefaultCaps suit a restaurant that takes family and office orders online:
// fifty dishes, five hundred euros.
var DefaultCaps = Caps{MaxDishes: 50, MaxTotal: domain.Cents(50000)}

// orDefault fills what the restaurant did not set from DefaultCaps.
func (c Caps) orDefault() Caps {
	if c.MaxDishes <= 0 {
		c.MaxDishes = DefaultCaps.MaxDishes
	}
	if c.MaxTotal.Amount <= 0 {
		c.MaxTotal = DefaultCaps.MaxTotal
	}
	return c
}

// allow checks an order that would become next, coming from s. Only a change
// that makes the order larger is refused, so that an order holding more
// than the caps allow (the caps were lowered) can still be made smaller.
func (c Caps) allow(s, next State) error {
	c = c.orDefault()
	if n := next.ItemCount(); n > c.MaxDishes && n > s.ItemCount() {
		return domain.Invalid("quantity", "An order may hold at most %d dishes; call us for larger orders.", c.MaxDishes)
	}
	if t := next.Total(); t.Amount > c.MaxTotal.Amount && t.Amount > s.Total().Amount {
		return domain.Invalid("quantity", "An order may come to at most %s; call us for larger orders.", c.MaxTotal)
	}
	return nil
}
