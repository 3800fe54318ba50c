package menu

import (
	"maps"

	"restaurant/domain"
)

// A dish may be cooked in a limited number of portions a service ("12
// portions of lasagne"). Each dish's portions are a stream of their own, so
// that placing an order takes its portions under that stream's lock, in the
// same transaction as the order's placement: however many guests place at
// once, no more portions are taken than there are.

// PortionsStreamPrefix begins the name of every dish's portions stream.
const PortionsStreamPrefix = "menu-portions-"

// PortionsStream names the portions stream of a dish.
func PortionsStream(itemID string) string { return PortionsStreamPrefix + itemID }

// MaxPortions is the largest limit a dish may have.
const MaxPortions = 999

// PortionsLimitSet records that a dish has Portions left from now on: the
// count starts afresh.
type PortionsLimitSet struct {
	ItemID   string `json:"item_id"`
	Portions int    `json:"portions"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (PortionsLimitSet) EventType() string { return "menu.PortionsLimitSet" }

// PortionsLimitCleared records that a dish may be ordered without counting.
type PortionsLimitCleared struct {
	ItemID string `json:"item_id"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (PortionsLimitCleared) EventType() string { return "menu.PortionsLimitCleared" }

// PortionsTaken records that a placed order took Quantity portions.
type PortionsTaken struct {
	ItemID   string `json:"item_id"`
	OrderID  string `json:"order_id"`
	Quantity int    `json:"quantity"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (PortionsTaken) EventType() string { return "menu.PortionsTaken" }

// PortionsReturned records that a canceled order gave its portions back.
type PortionsReturned struct {
	ItemID   string `json:"item_id"`
	OrderID  string `json:"order_id"`
	Quantity int    `json:"quantity"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (PortionsReturned) EventType() string { return "menu.PortionsReturned" }

// PortionEvents returns one zero value of every event type of a dish's
// portions, for the event codec.
func PortionEvents() []domain.Event {
	return []domain.Event{PortionsLimitSet{}, PortionsLimitCleared{}, PortionsTaken{}, PortionsReturned{}}
}

// Portions is a dish's portions as their history makes them. The zero
// value is a dish without a limit.
type Portions struct {
	ItemID  string
	Limited bool
	Left    int
	// Taken are the portions each order took since the limit was last
	// set, which a cancel gives back. Evolve never writes into it.
	Taken map[string]int
}

// PortionsCommand is a request about a dish's portions. It is sealed so
// that DecidePortions can handle every kind.
type PortionsCommand interface{ portionsCommand() }

// SetPortions limits the dish ItemID to Portions from now on. Dish is the
// dish as its own stream says, read under its lock: a dish never added or
// removed takes no limit.
type SetPortions struct {
	ItemID   string
	Portions int
	Dish     State
}

// ClearPortions lifts a dish's limit.
type ClearPortions struct{}

// TakePortions takes Quantity portions of the dish Name for the order
// being placed.
type TakePortions struct {
	OrderID  string
	Name     string
	Quantity int
}

// ReturnPortions gives back what a canceled order took.
type ReturnPortions struct {
	OrderID string
}

func (SetPortions) portionsCommand()    {}
func (ClearPortions) portionsCommand()  {}
func (TakePortions) portionsCommand()   {}
func (ReturnPortions) portionsCommand() {}

// EvolvePortions applies one event to a dish's portions.
func EvolvePortions(p Portions, e domain.Event) Portions {
	switch e := e.(type) {
	case PortionsLimitSet:
		return Portions{ItemID: e.ItemID, Limited: true, Left: e.Portions}
	case PortionsLimitCleared:
		return Portions{ItemID: e.ItemID}
	case PortionsTaken:
		p.Left -= e.Quantity
		p.Taken = maps.Clone(p.Taken)
		if p.Taken == nil {
			p.Taken = map[string]int{}
		}
		p.Taken[e.OrderID] += e.Quantity
	case PortionsReturned:
		p.Left += e.Quantity
		p.Taken = maps.Clone(p.Taken)
		delete(p.Taken, e.OrderID)
	}
	return p
}

// DecidePortions checks a command against a dish's portions. Taking what
// an order took already, returning what it did not take, or setting the
// limit it has decides no events.
func DecidePortions(p Portions, c PortionsCommand) ([]domain.Event, error) {
	switch c := c.(type) {
	case SetPortions:
		switch {
		case !c.Dish.Exists:
			return nil, domain.NotFound("There is no such dish.")
		case c.Dish.Removed:
			return nil, domain.Conflict("This item was removed from the menu.")
		case c.Portions < 0 || c.Portions > MaxPortions:
			return nil, domain.Invalid("portions", "Enter a number of portions from 0 to %d.", MaxPortions)
		case p.Limited && p.Left == c.Portions:
			return nil, nil
		}
		return []domain.Event{PortionsLimitSet{ItemID: c.ItemID, Portions: c.Portions}}, nil
	case ClearPortions:
		if !p.Limited {
			return nil, nil
		}
		return []domain.Event{PortionsLimitCleared{ItemID: p.ItemID}}, nil
	case TakePortions:
		switch _, took := p.Taken[c.OrderID]; {
		case c.Quantity < 1:
			return nil, domain.Invalid("quantity", "An order takes at least one portion.")
		case !p.Limited || took:
			return nil, nil
		case p.Left <= 0:
			return nil, domain.Conflict("Sorry, %s is sold out.", c.Name)
		case c.Quantity > p.Left:
			if p.Left == 1 {
				return nil, domain.Conflict("Only 1 portion of %s is left; lower the quantity to place your order.", c.Name)
			}
			return nil, domain.Conflict("Only %d portions of %s are left; lower the quantity to place your order.", p.Left, c.Name)
		}
		return []domain.Event{PortionsTaken{ItemID: p.ItemID, OrderID: c.OrderID, Quantity: c.Quantity}}, nil
	case ReturnPortions:
		q, took := p.Taken[c.OrderID]
		if !took {
			return nil, nil
		}
		return []domain.Event{PortionsReturned{ItemID: p.ItemID, OrderID: c.OrderID, Quantity: q}}, nil
	}
	return nil, domain.Invalid("", "This action is not available for a dish's portions.")
}

// PortionsDecider is a dish's portions as the event store runs them. The
// stream grows with every order that takes the dish and names orders only,
// no person, so the store keeps snapshots of it.
var PortionsDecider = domain.Decider[Portions, PortionsCommand]{Evolve: EvolvePortions, Decide: DecidePortions, Snapshot: 1}
