package notify

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The message types of the public contract that the service emails about;
// every other type is acknowledged and ignored.
const (
	TypeOrderPlaced         = "orders.v1.OrderPlaced"
	TypeOrderReady          = "orders.v1.OrderReady"
	TypeOrderOutForDelivery = "orders.v1.OrderOutForDelivery"
	TypeOrderCanceled       = "orders.v1.OrderCanceled"
	fulfilmentPickup        = "pickup"
	fulfilmentDelivery      = "delivery"
	maxReasonLength         = 500 // bytes of a failure's reason kept in the inbox
)

// Types are the message types the service's queue is bound to.
var Types = []string{TypeOrderPlaced, TypeOrderReady, TypeOrderOutForDelivery, TypeOrderCanceled}

// Delivery is one message of the contract, as the broker (or the event
// store, in-process) hands it over: its id, unique per message and the same
// when a message is sent again, its type (the routing key) and its JSON body.
type Delivery struct {
	MessageID string
	Type      string
	Body      []byte
}

// The bodies, decoded into the service's own structs: it codes against the
// published contract, not the restaurant's packages.

type contact struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

type money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

type line struct {
	DishID   string   `json:"dish_id"`
	Name     string   `json:"name"`
	Quantity int      `json:"quantity"`
	Options  []string `json:"options"`
}

type orderPlaced struct {
	OrderID      string     `json:"order_id"`
	Number       int        `json:"number"`
	PlacedAt     time.Time  `json:"placed_at"`
	Fulfilment   string     `json:"fulfilment"`
	ScheduledFor *time.Time `json:"scheduled_for,omitempty"`
	Total        money      `json:"total"`
	Lines        []line     `json:"lines"`
	Contact      contact    `json:"contact"`
}

type orderReady struct {
	OrderID    string    `json:"order_id"`
	Number     int       `json:"number"`
	ReadyAt    time.Time `json:"ready_at"`
	Fulfilment string    `json:"fulfilment"`
	Contact    contact   `json:"contact"`
}

type orderOutForDelivery struct {
	OrderID string    `json:"order_id"`
	Number  int       `json:"number"`
	At      time.Time `json:"at"`
	Contact contact   `json:"contact"`
}

type orderCanceled struct {
	OrderID    string    `json:"order_id"`
	Number     int       `json:"number"`
	Reason     string    `json:"reason"`
	CanceledAt time.Time `json:"canceled_at"`
	Contact    contact   `json:"contact"`
}

// notice is what one message asks the service to send, before it becomes an
// email: the order it is about, the guest, and the words.
type notice struct {
	OrderID string
	To      contact
	Subject string
	// Paragraphs of the message, in order; the text and HTML parts both say
	// them.
	Paragraphs []string
	// Lines are an order's dishes, for the confirmation.
	Lines []noticeLine
	Total string
	Link  string
}

type noticeLine struct {
	Quantity int
	Name     string
	Options  string
}

// errMalformed is a body that does not read as its type says: sending it
// again will not help, so it is recorded as failed and acknowledged.
var errMalformed = errors.New("malformed message")

// errIgnored is a type the service does not email about, or a ready order
// that is not a pickup: it is acknowledged without any record.
var errIgnored = errors.New("not a message the service emails about")

// view holds what a notice needs of the service's configuration.
type view struct {
	PublicURL string
	Location  *time.Location
}

// noticeOf reads one message into the notice it asks for.
func (v view) noticeOf(d Delivery) (notice, error) {
	switch d.Type {
	case TypeOrderPlaced:
		var m orderPlaced
		if err := decode(d.Body, &m); err != nil {
			return notice{}, err
		}
		if err := needOrder(m.OrderID, m.Number); err != nil {
			return notice{}, err
		}
		n := notice{OrderID: m.OrderID, To: m.Contact, Link: v.orderLink(m.OrderID), Total: formatMoney(m.Total)}
		n.Subject = fmt.Sprintf("Order #%d confirmed", m.Number)
		greeting := greet(m.Contact.Name)
		switch m.Fulfilment {
		case fulfilmentDelivery:
			n.Paragraphs = append(n.Paragraphs, greeting+fmt.Sprintf("thank you for your order #%d. We will deliver it to you.", m.Number))
		default:
			n.Paragraphs = append(n.Paragraphs, greeting+fmt.Sprintf("thank you for your order #%d. We will tell you when it is ready to collect.", m.Number))
		}
		if m.ScheduledFor != nil && !m.ScheduledFor.IsZero() {
			what := "ready to collect"
			if m.Fulfilment == fulfilmentDelivery {
				what = "delivered"
			}
			n.Paragraphs = append(n.Paragraphs, fmt.Sprintf("You asked for it to be %s at %s.", what, v.formatTime(*m.ScheduledFor)))
		}
		for _, l := range m.Lines {
			n.Lines = append(n.Lines, noticeLine{Quantity: l.Quantity, Name: l.Name, Options: strings.Join(l.Options, ", ")})
		}
		return n, nil
	case TypeOrderReady:
		var m orderReady
		if err := decode(d.Body, &m); err != nil {
			return notice{}, err
		}
		if err := needOrder(m.OrderID, m.Number); err != nil {
			return notice{}, err
		}
		if m.Fulfilment != "" && m.Fulfilment != fulfilmentPickup {
			// A delivery's guest hears when it leaves, not when it is packed.
			return notice{}, errIgnored
		}
		return notice{
			OrderID: m.OrderID, To: m.Contact, Link: v.orderLink(m.OrderID),
			Subject:    fmt.Sprintf("Order #%d is ready to collect", m.Number),
			Paragraphs: []string{greet(m.Contact.Name) + fmt.Sprintf("your order #%d is ready: come and collect it at the counter.", m.Number)},
		}, nil
	case TypeOrderOutForDelivery:
		var m orderOutForDelivery
		if err := decode(d.Body, &m); err != nil {
			return notice{}, err
		}
		if err := needOrder(m.OrderID, m.Number); err != nil {
			return notice{}, err
		}
		return notice{
			OrderID: m.OrderID, To: m.Contact, Link: v.orderLink(m.OrderID),
			Subject:    fmt.Sprintf("Order #%d is on its way", m.Number),
			Paragraphs: []string{greet(m.Contact.Name) + fmt.Sprintf("your order #%d left the kitchen with our courier and is on its way to you.", m.Number)},
		}, nil
	case TypeOrderCanceled:
		var m orderCanceled
		if err := decode(d.Body, &m); err != nil {
			return notice{}, err
		}
		if err := needOrder(m.OrderID, m.Number); err != nil {
			return notice{}, err
		}
		reason := strings.TrimSpace(m.Reason)
		if reason == "" {
			reason = "No reason was given."
		}
		return notice{
			OrderID: m.OrderID, To: m.Contact, Link: v.orderLink(m.OrderID),
			Subject: fmt.Sprintf("Order #%d was canceled", m.Number),
			Paragraphs: []string{
				greet(m.Contact.Name) + fmt.Sprintf("your order #%d was canceled.", m.Number),
				"Reason: " + reason,
			},
		}, nil
	}
	return notice{}, errIgnored
}

// orderOf reads the order id of a body of any type, for the inbox; "" when
// the body has none.
func orderOf(body []byte) string {
	var m struct {
		OrderID string `json:"order_id"`
	}
	if json.Unmarshal(body, &m) != nil {
		return ""
	}
	return m.OrderID
}

func decode(body []byte, into any) error {
	if err := json.Unmarshal(body, into); err != nil {
		return fmt.Errorf("%w: %w", errMalformed, err)
	}
	return nil
}

func needOrder(id string, number int) error {
	if strings.TrimSpace(id) == "" || number <= 0 {
		return fmt.Errorf("%w: no order_id or number", errMalformed)
	}
	return nil
}

func greet(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return "Hello, "
	}
	return "Hello " + name + ", "
}

func (v view) orderLink(id string) string {
	if v.PublicURL == "" {
		return ""
	}
	return strings.TrimRight(v.PublicURL, "/") + "/orders/" + id
}

func (v view) formatTime(t time.Time) string {
	loc := v.Location
	if loc == nil {
		loc = time.Local
	}
	return t.In(loc).Format("Mon 2 Jan 2006, 15:04")
}

// formatMoney formats cents for people: "€12.50", or "12.50 USD" for a
// currency other than the euro.
func formatMoney(m money) string {
	sign, a := "", m.Amount
	if a < 0 {
		sign, a = "-", -a
	}
	digits := fmt.Sprintf("%d.%02d", a/100, a%100)
	if m.Currency == "" || m.Currency == "EUR" {
		return sign + "€" + digits
	}
	return sign + digits + " " + m.Currency
}
