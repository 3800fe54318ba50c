// Package integration is the restaurant's public contract for other
// systems: integration messages, translated from the internal domain events
// and published by the relay (internal/relay). The domain events may change
// as the contexts need; a message type here, once published, never changes
// shape: a new shape is a new version ("orders.v2.OrderPlaced"), published
// beside the old one until its consumers have moved.
package integration

import (
	"encoding/json"
	"time"
)

// Message is one integration message as the relay publishes it.
type Message struct {
	// ID is the source domain event's id: the AMQP message id, by which
	// consumers deduplicate (delivery is at least once).
	ID string
	// Type names the message and its version, e.g. "orders.v1.OrderPlaced";
	// it is also the AMQP routing key.
	Type string
	// Stream is the source stream (the order's, the dish's), so that a
	// consumer can check the order of the messages of one stream.
	Stream string
	// Position is the source event's global position.
	Position int64
	// OccurredAt is when the source event was recorded.
	OccurredAt time.Time
	// Body is the JSON of the type's struct (OrderPlacedV1 and so on).
	Body json.RawMessage
}

// Money is an amount in the currency's minor unit (cents for EUR).
type Money struct {
	Amount   int64  `json:"amount" doc:"the amount in the currency's minor unit: cents for EUR"`
	Currency string `json:"currency" doc:"ISO 4217 code, e.g. EUR"`
}

// Contact is whom order updates go to. Both fields are "" when the guest
// gave none or was erased.
type Contact struct {
	Name  string `json:"name" doc:"the name the order was placed under; \"\" when unknown or erased"`
	Email string `json:"email" doc:"the address to send order updates to; \"\" when unknown or erased"`
}

// OrderLine is one dish of a placed order.
type OrderLine struct {
	DishID   string   `json:"dish_id" doc:"the menu's id of the dish"`
	Name     string   `json:"name" doc:"the dish's name as the menu had it when the guest added it"`
	Quantity int      `json:"quantity" doc:"how many of it"`
	Options  []string `json:"options" doc:"the names of the choices made (size, extras); empty for none"`
}

// OrderPlacedV1 is orders.v1.OrderPlaced.
type OrderPlacedV1 struct {
	OrderID      string      `json:"order_id"`
	Number       int64       `json:"number" doc:"the order's number as the guest sees it; 0 if it has none"`
	PlacedAt     time.Time   `json:"placed_at"`
	Fulfilment   string      `json:"fulfilment" enum:"pickup,delivery"`
	ScheduledFor time.Time   `json:"scheduled_for,omitzero" doc:"the time the order was placed for; absent for an order as soon as possible"`
	Total        Money       `json:"total" doc:"what the guest agreed to pay"`
	Lines        []OrderLine `json:"lines"`
	Contact      Contact     `json:"contact"`
}

// OrderCanceledV1 is orders.v1.OrderCanceled.
type OrderCanceledV1 struct {
	OrderID    string    `json:"order_id"`
	Number     int64     `json:"number" doc:"the order's number as the guest sees it; 0 if it has none"`
	Reason     string    `json:"reason" doc:"why, as the guest or the restaurant said it; may be \"\""`
	CanceledAt time.Time `json:"canceled_at"`
	Contact    Contact   `json:"contact"`
}

// OrderReadyV1 is orders.v1.OrderReady.
type OrderReadyV1 struct {
	OrderID    string    `json:"order_id"`
	Number     int64     `json:"number" doc:"the order's number as the guest sees it; 0 if it has none"`
	ReadyAt    time.Time `json:"ready_at"`
	Fulfilment string    `json:"fulfilment" enum:"pickup,delivery"`
	Contact    Contact   `json:"contact"`
}

// OrderOutForDeliveryV1 is orders.v1.OrderOutForDelivery.
type OrderOutForDeliveryV1 struct {
	OrderID string    `json:"order_id"`
	Number  int64     `json:"number" doc:"the order's number as the guest sees it; 0 if it has none"`
	At      time.Time `json:"at" doc:"when the courier took it"`
	Contact Contact   `json:"contact"`
}

// OrderHandedOverV1 is orders.v1.OrderHandedOver.
type OrderHandedOverV1 struct {
	OrderID string    `json:"order_id"`
	Number  int64     `json:"number" doc:"the order's number as the guest sees it; 0 if it has none"`
	At      time.Time `json:"at" doc:"when the guest collected it"`
	Payment string    `json:"payment" enum:"cash,card,unpaid," doc:"how it was paid; \"\" when not recorded"`
}

// OrderDeliveredV1 is orders.v1.OrderDelivered.
type OrderDeliveredV1 struct {
	OrderID string    `json:"order_id"`
	Number  int64     `json:"number" doc:"the order's number as the guest sees it; 0 if it has none"`
	At      time.Time `json:"at" doc:"when the courier gave it to the guest"`
	Payment string    `json:"payment" enum:"cash,card,unpaid," doc:"how it was paid, as recorded when it left the kitchen; \"\" when not recorded"`
}

// ItemSoldOutV1 is menu.v1.ItemSoldOut.
type ItemSoldOutV1 struct {
	DishID string    `json:"dish_id"`
	Name   string    `json:"name"`
	At     time.Time `json:"at"`
}

// ItemBackInStockV1 is menu.v1.ItemBackInStock.
type ItemBackInStockV1 struct {
	DishID string    `json:"dish_id"`
	Name   string    `json:"name"`
	At     time.Time `json:"at"`
}

// The message types, each a name and a version; also the routing keys.
const (
	OrderPlaced         = "orders.v1.OrderPlaced"
	OrderCanceled       = "orders.v1.OrderCanceled"
	OrderReady          = "orders.v1.OrderReady"
	OrderOutForDelivery = "orders.v1.OrderOutForDelivery"
	OrderHandedOver     = "orders.v1.OrderHandedOver"
	OrderDelivered      = "orders.v1.OrderDelivered"
	ItemSoldOut         = "menu.v1.ItemSoldOut"
	ItemBackInStock     = "menu.v1.ItemBackInStock"
)

// Spec describes one message type for the catalogue.
type Spec struct {
	Type    string
	Meaning string
	// Source names the domain event it is translated from.
	Source string
	// Example is a value of the type's struct, which also gives its shape.
	Example any
}

var (
	exampleAt    = time.Date(2026, 11, 27, 19, 30, 0, 0, time.UTC)
	exampleOrder = "0f5d3c1e-8a4b-4c59-9b3e-2d7f6a1c9e42"
	exampleGuest = Contact{Name: "Ana Silva", Email: "ana@example.com"}
)

// Specs lists every message type of the contract, in catalogue order.
func Specs() []Spec {
	return []Spec{
		{OrderPlaced, "A guest placed an order: the kitchen has it. Carries the dishes, the total, how it is fulfilled, and whom to send updates to.",
			"ordering.OrderPlaced", OrderPlacedV1{OrderID: exampleOrder, Number: 42, PlacedAt: exampleAt, Fulfilment: "delivery",
				ScheduledFor: exampleAt.Add(time.Hour), Total: Money{Amount: 2650, Currency: "EUR"},
				Lines: []OrderLine{{DishID: "margherita", Name: "Margherita", Quantity: 2, Options: []string{"Large", "Extra mozzarella"}},
					{DishID: "lemonade", Name: "Lemonade", Quantity: 1, Options: []string{}}}, Contact: exampleGuest}},
		{OrderCanceled, "An order will not be fulfilled: canceled by the guest before the kitchen started it, or by the restaurant.",
			"ordering.OrderCanceled", OrderCanceledV1{OrderID: exampleOrder, Number: 42, Reason: "Changed my mind", CanceledAt: exampleAt, Contact: exampleGuest}},
		{OrderReady, "The kitchen finished the whole order: it waits at the pass for the guest or the courier.",
			"kitchen.TicketBumped", OrderReadyV1{OrderID: exampleOrder, Number: 42, ReadyAt: exampleAt, Fulfilment: "pickup", Contact: exampleGuest}},
		{OrderOutForDelivery, "A delivery order left the kitchen with the courier.",
			"kitchen.TicketHandedOver (out for delivery)", OrderOutForDeliveryV1{OrderID: exampleOrder, Number: 42, At: exampleAt, Contact: exampleGuest}},
		{OrderHandedOver, "The guest collected the order at the counter; its journey ends.",
			"kitchen.TicketHandedOver (at the counter)", OrderHandedOverV1{OrderID: exampleOrder, Number: 42, At: exampleAt, Payment: "card"}},
		{OrderDelivered, "The courier gave a delivery order to the guest; its journey ends.",
			"kitchen.TicketDelivered", OrderDeliveredV1{OrderID: exampleOrder, Number: 42, At: exampleAt, Payment: "cash"}},
		{ItemSoldOut, "A dish ran out for now: guests cannot order it until it is back in stock.",
			"menu.MenuItemSoldOut", ItemSoldOutV1{DishID: "margherita", Name: "Margherita", At: exampleAt}},
		{ItemBackInStock, "A sold-out dish can be ordered again.",
			"menu.MenuItemBackInStock", ItemBackInStockV1{DishID: "margherita", Name: "Margherita", At: exampleAt}},
	}
}
