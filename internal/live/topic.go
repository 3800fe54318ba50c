package live

import (
	"strings"

	"github.com/google/uuid"
)

// Topic names a thing screens follow: the projection that changes it
// publishes the topic, and the screen that shows it follows the same topic.
// Both sides build it with the functions below, so the two cannot drift
// apart and a new screen is one change the compiler checks. Its string is
// the wire format, in /live?topic=… and in the notices between processes,
// and does not change.
type Topic string

// The topics that name a whole screen.
const (
	menuTopic        Topic = "menu"
	kitchenTopic     Topic = "kitchen"
	projectionsTopic Topic = "projections"
	ordersTopic      Topic = "orders"
	queueTopic       Topic = "queue"
)

// scheduleTopic is followed by no screen: see ScheduleTopic.
const scheduleTopic Topic = "schedule"

// ScheduleTopic is the kitchen's schedule of orders for later: it changes
// when an order is placed for later, and every process's scheduler, which
// opens those tickets when they are due, hears of it. Clients cannot follow
// it (ParseTopic refuses it).
func ScheduleTopic() Topic { return scheduleTopic }

// Prefixes of the topics that name one order, or one staff member.
const (
	orderPrefix   = "order:"
	historyPrefix = "history:"
	accessPrefix  = "access:"
)

// MenuTopic is the guests' menu: it changes when a dish is added, changed,
// sold out or back in stock.
func MenuTopic() Topic { return menuTopic }

// KitchenTopic is the kitchen display: it changes with every ticket.
func KitchenTopic() Topic { return kitchenTopic }

// ProjectionsTopic is the managers' projections page: it changes with every
// batch any projection commits.
func ProjectionsTopic() Topic { return projectionsTopic }

// OrdersTopic is the managers' list of orders: it changes with every order.
func OrdersTopic() Topic { return ordersTopic }

// QueueTopic is the kitchen's queue: it changes with every ticket, as the
// kitchen display does, and wakes the guests' order pages, whose quotes the
// queue makes. It is never a region of its own, and clients cannot follow
// it (ParseTopic refuses it): followed by every open order page, it keeps
// the kitchen's own topic, and its delivery windows, to the kitchen's
// screens.
func QueueTopic() Topic { return queueTopic }

// OrderTopic is one order's status as its guest sees it; it changes with the
// order and with its ticket.
func OrderTopic(orderID string) Topic { return Topic(orderPrefix + orderID) }

// HistoryTopic is one order's history as managers read it; it changes with
// every event of the order and its ticket.
func HistoryTopic(orderID string) Topic { return Topic(historyPrefix + orderID) }

// AccessTopic is the notice that a staff member's access changed (disabled,
// signed out everywhere, a new password, another role): their screens, in
// every process, check at once whether they may still follow what they
// show, rather than at their next ping. Screens are never sent it as a
// region; clients cannot follow it (ParseTopic refuses it).
func AccessTopic(username string) Topic { return Topic(accessPrefix + username) }

// Order says which order an OrderTopic names, so the screen following it
// can render that order.
func (t Topic) Order() (orderID string, ok bool) { return strings.CutPrefix(string(t), orderPrefix) }

// History says which order a HistoryTopic names, so the screen following it
// can render that order's history.
func (t Topic) History() (orderID string, ok bool) {
	return strings.CutPrefix(string(t), historyPrefix)
}

// Kind is what sort of thing the topic names, without which one: "order"
// for any order's topic, "history", "access", or the screen's own name.
// Metrics label by it, so that one order's topic adds no series of its own.
func (t Topic) Kind() string {
	for _, prefix := range []string{orderPrefix, historyPrefix, accessPrefix} {
		if strings.HasPrefix(string(t), prefix) {
			return strings.TrimSuffix(prefix, ":")
		}
	}
	return string(t)
}

// ParseTopic reads one topic a client asks to follow: a screen, or an order
// named by its id as the site writes it (a lowercase UUID). Anything else,
// access notices among them, is not a topic a client may follow. It is the
// one reader of what /live's query names; who may follow what is decided
// after.
func ParseTopic(s string) (Topic, bool) {
	switch t := Topic(s); t {
	case menuTopic, kitchenTopic, projectionsTopic, ordersTopic:
		return t, true
	}
	for _, prefix := range []string{orderPrefix, historyPrefix} {
		if id, ok := strings.CutPrefix(s, prefix); ok {
			u, err := uuid.Parse(id)
			return Topic(s), err == nil && u.String() == id
		}
	}
	return "", false
}

// Path is where a screen's websocket follows topics.
const Path = "/live"

// Param is the query parameter of Path that names a topic to follow; it may
// be given more than once.
const Param = "topic"

// Href is the address a page's websocket connects to to follow the topics,
// so pages never spell the query themselves.
func Href(topics ...Topic) string {
	var b strings.Builder
	b.WriteString(Path)
	for i, t := range topics {
		if i == 0 {
			b.WriteString("?")
		} else {
			b.WriteString("&")
		}
		b.WriteString(Param + "=" + string(t))
	}
	return b.String()
}
