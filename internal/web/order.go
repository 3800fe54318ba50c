package web

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/domain/kitchen"
	"restaurant/domain/ordering"
	"restaurant/projections"
	"restaurant/views"
)

// guestOrder reads an order for its orderer (see orderer), or a guest
// order the signed-in customer adopted; anyone else's answers not found.
func (d Deps) guestOrder(r *http.Request, orderID, guest string) (projections.Order, error) {
	if _, err := uuid.Parse(orderID); err != nil || guest == "" {
		return projections.Order{}, errNoSuchOrder
	}
	o, err := d.Orders.Get(r.Context(), orderID)
	if err != nil {
		return projections.Order{}, err
	}
	if o.CustomerID != guest {
		if ok, err := d.adoptedBySignedIn(r, orderID); err != nil || !ok {
			return projections.Order{}, cmp.Or(err, errNoSuchOrder)
		}
	}
	return o, nil
}

// showOrder is the order page, or the order as JSON with links to the
// commands valid now.
func (d Deps) showOrder(w http.ResponseWriter, r *http.Request) {
	d.waitFor(r, "orders", "customers")
	guest, _ := orderer(r)
	orderID := chi.URLParam(r, "orderID")
	if acceptsJSON(r) {
		o, err := d.guestOrder(r, orderID, guest)
		if err != nil {
			fail(w, r, err)
			return
		}
		doc := orderJSON(o, d.closedFor(r.Context(), o))
		if doc.Contact != nil {
			c := *doc.Contact
			c.Email = d.contactEmail(r.Context(), o.OrderID)
			doc.Contact = &c
		}
		if q, ok := d.orderQuote(r.Context(), o); ok {
			doc.ReadyAt = &q.At
		}
		writeJSON(w, http.StatusOK, "application/json", doc)
		return
	}
	d.renderOrder(w, r, http.StatusOK, orderID, guest, nil)
}

// listCommands lists the commands valid on the order now.
func (d Deps) listCommands(w http.ResponseWriter, r *http.Request) {
	d.waitFor(r, "orders", "customers")
	guest, _ := orderer(r)
	o, err := d.guestOrder(r, chi.URLParam(r, "orderID"), guest)
	if err != nil {
		writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, "application/json", map[string]any{"order_id": o.OrderID, "commands": commandLinks(o, d.closedFor(r.Context(), o))})
}

var statusWords = map[ordering.Status][2]string{
	ordering.StatusOpen:     {"Your order is open", "Add dishes, choose pickup or delivery, then place your order."},
	ordering.StatusPlaced:   {"Placed: the kitchen has your order", "We will show its progress here."},
	ordering.StatusCanceled: {"Canceled", "This order was canceled; nothing will be prepared."},
}

// kitchenWords tell a guest how far the kitchen has got with a placed order.
var kitchenWords = map[kitchen.Status][2]string{
	kitchen.StatusPreparing:  {"Preparing: the kitchen is cooking your order", "It can no longer be canceled."},
	kitchen.StatusReady:      {"Ready", "Your order is ready at the counter."},
	kitchen.StatusHandedOver: {"Handed over", "Enjoy your meal!"},
	// A delivery order handed over goes to the courier.
	kitchen.StatusOutForDelivery: {"Out for delivery", "The courier is on the way with your order."},
	kitchen.StatusDelivered:      {"Delivered", "Your order was delivered. Enjoy your meal!"},
}

// progressOf is how far a placed order has got in the kitchen and after it
// ("preparing", "out_for_delivery", "delivered"), or the order's own status
// before and without the kitchen.
func progressOf(o projections.Order) string {
	if _, ok := kitchenWords[o.KitchenStatus]; ok && o.Status == ordering.StatusPlaced {
		return string(o.KitchenStatus)
	}
	return string(o.Status)
}

func (d Deps) renderOrder(w http.ResponseWriter, r *http.Request, status int, orderID, guest string, fe *views.FormError) {
	ctx, cancel := withTimeout(r, 5*time.Second)
	defer cancel()
	o, err := d.guestOrder(r.WithContext(ctx), orderID, guest)
	if err != nil {
		fail(w, r, err)
		return
	}
	v := d.orderView(ctx, o, guest, fe)
	if flash := againFlash(r.URL.Query()); flash != "" && fe == nil {
		v.Flash = flash
	}
	if !v.Contact.Given {
		v.Contact.Name, v.Contact.Phone, v.Contact.Email = d.contactDefaults(r)
	} else {
		v.Contact.Email = d.contactEmail(ctx, o.OrderID)
	}
	if c, ok, err := d.signedInCustomer(r); err == nil && ok {
		for _, a := range c.Addresses {
			v.SavedAddresses = append(v.SavedAddresses, views.SavedAddressView{ID: a.ID, Default: a.Default,
				Label: fmt.Sprintf("%s: %s, %s %s", a.Nickname, a.Street, a.PostalCode, a.City)})
		}
	}
	render(w, r, status, views.OrderPage(v))
}

// orderView is an order's page content, for the page and its pushes alike.
func (d Deps) orderView(ctx context.Context, o projections.Order, guest string, fe *views.FormError) views.OrderView {
	words := statusWords[o.Status]
	if o.Status == ordering.StatusPlaced {
		if w, ok := kitchenWords[o.KitchenStatus]; ok {
			words = w
		}
		if o.KitchenStatus == kitchen.StatusReady && o.Fulfilment == ordering.FulfilmentDelivery {
			words[1] = "It is ready and waiting for the courier."
		}
	}
	progress := progressOf(o)
	v := views.OrderView{
		Nav: d.nav(ctx, guest), ID: o.OrderID, Live: o.Status == ordering.StatusPlaced || o.Status == ordering.StatusOpen,
		Href: "/orders/" + o.OrderID, Number: o.Number,
		Status: progress, StatusText: words[0], StatusDetail: words[1],
		ItemCount: o.ItemCount, Total: o.Total.String(), Fulfilment: string(o.Fulfilment),
		Address: views.AddressView{Street: o.DeliveryAddress.Street, City: o.DeliveryAddress.City,
			PostalCode: o.DeliveryAddress.PostalCode, Instructions: o.DeliveryAddress.Instructions},
		Contact: views.ContactView{Name: o.Contact.Name, Phone: o.Contact.Phone, Given: o.Contact.Name != ""},
		Can:     map[string]bool{}, Error: fe, CommandID: commandIDs(),
	}
	if o.Status == ordering.StatusPlaced && words == statusWords[ordering.StatusPlaced] && o.Contact.Name != "" {
		v.StatusText = "Thanks, " + o.Contact.Name + " — the kitchen has your order"
	}
	if o.Status == ordering.StatusCanceled && o.CancelReason != "" {
		v.StatusDetail = "Reason: " + o.CancelReason
	}
	if waitingForItsTime(o) {
		words := d.scheduledWords(o)
		v.StatusText, v.StatusDetail = words[0], words[1]
	}
	for _, c := range ordering.Allowed(o.State()) {
		v.Can[string(c)] = true
	}
	shownOrdering, hours, err := d.orderingShown(ctx)
	later := false
	if err == nil { // else placing will say, if it must
		v.Closed, later = placingNow(shownOrdering, o)
	}
	q, quoted := d.orderQuote(ctx, o)
	if quoted {
		v.Quote, v.QuoteBusy = q.words(d.Location), q.Busy
		if q.Full && v.Closed == "" && o.Status == ordering.StatusOpen {
			v.Closed = q.fullWords()
		}
		if waitingForItsTime(o) {
			v.Quote = "" // the status says it
		}
	}
	if v.Can["schedule"] {
		// The times offered follow the kitchen's quote as soon as possible,
		// which an order asked for later has yet to be given.
		w := d.windowAt(hours, q.At)
		if !quoted || q.When != "" {
			w = d.window(ctx, o.OrderID, o.Lines, o.Fulfilment, hours)
		}
		v.When = d.whenView(o, w)
		v.LaterHint = v.Closed != "" && later && o.ScheduledFor.IsZero() && len(v.When.Days) > 0
	}
	if v.Closed != "" {
		v.Can["place"] = false
	}
	shown := map[string]bool{"delivery": v.Can["add-delivery-address"], "contact": v.Can["give-contact"],
		"place": v.Can["place"], "cancel": v.Can["cancel"], "schedule": v.Can["schedule"]}
	var menu map[string]projections.MenuItem
	if o.Status == ordering.StatusOpen {
		// What changed on the menu since a dish was added, told before placing.
		menu, _ = d.menuByID(ctx, false)
	}
	for _, l := range o.Lines {
		shown["line-"+l.LineID] = v.Can["change-quantity"] || v.Can["remove-item"]
		line := views.OrderLineView{ID: l.LineID, Name: l.Name, Note: l.Note, Allergy: l.Allergy, Quantity: l.Quantity,
			UnitPrice: l.UnitPrice.String(), Total: l.Total().String(), Options: optionLabels(l.Options)}
		if o.Status == ordering.StatusOpen && len(menu) > 0 {
			line.Notice = lineNotice(l, menu)
			if whyUnavailable(menu, l.MenuItemID) == "" {
				line.Groups = optionViews(dishOptions(menu[l.MenuItemID]), lineChoice(l))
			}
		}
		shown["options-"+l.LineID] = v.Can["change-options"] && len(line.Groups) > 0
		v.Lines = append(v.Lines, line)
	}
	if fe != nil && !shown[fe.Form] {
		fe.Form = "order" // its form is not on the page now: say it at the top
	}
	return v
}

// closedFor is why an open order cannot be placed now, as the menu shows
// it, or "": the order page and its commands say so before the guest
// tries. Placing itself decides on the settings' stream.
func (d Deps) closedFor(ctx context.Context, o projections.Order) string {
	v, _, err := d.orderingShown(ctx)
	if err != nil {
		return "" // placing will say, if it must
	}
	closed, _ := placingNow(v, o)
	return closed
}

// placingNow says why an order cannot be placed now, as ordering is shown
// (v), or "", and whether it may be placed for later meanwhile. An order
// for later is placed while the restaurant is closed, but not while it is
// paused; its time is checked as it is placed.
func placingNow(v views.OrderingView, o projections.Order) (closed string, later bool) {
	switch {
	case o.Status != ordering.StatusOpen:
		return "", false
	case v.Open:
		return "", true
	case v.Paused:
		return v.Message, false
	case !o.ScheduledFor.IsZero():
		return "", true
	}
	return v.Message, v.Later
}

// waitingForItsTime says an order placed for later has not reached the
// kitchen's stoves yet.
func waitingForItsTime(o projections.Order) bool {
	return o.Status == ordering.StatusPlaced && !o.ScheduledFor.IsZero() && (o.KitchenStatus == kitchen.StatusNone || o.KitchenStatus == kitchen.StatusQueued)
}

// orderQuote quotes an order that is open with dishes, or that the kitchen
// has not finished; a quote that cannot be made now is left out. An order
// for later is quoted its time.
func (d Deps) orderQuote(ctx context.Context, o projections.Order) (quote, bool) {
	waiting := o.Status == ordering.StatusPlaced && (o.KitchenStatus == kitchen.StatusNone || o.KitchenStatus == kitchen.StatusQueued || o.KitchenStatus == kitchen.StatusPreparing)
	if len(o.Lines) == 0 || (o.Status != ordering.StatusOpen && !waiting) {
		return quote{}, false
	}
	if !o.ScheduledFor.IsZero() {
		return quote{At: o.ScheduledFor, Wait: o.ScheduledFor.Sub(d.Now()), Delivery: o.Fulfilment == ordering.FulfilmentDelivery, When: d.sayWhen(o.ScheduledFor)}, true
	}
	q, err := d.quoteFor(ctx, o.OrderID, menuIDsOf(o.Lines), o.Fulfilment == ordering.FulfilmentDelivery)
	if err != nil {
		slog.Warn("no quote for an order", "order_id", o.OrderID, "err", err)
		return quote{}, false
	}
	return q, true
}

// menuIDsOf are the menu ids of an order's lines.
func menuIDsOf(lines []ordering.Line) []string {
	ids := make([]string, len(lines))
	for i, l := range lines {
		ids[i] = l.MenuItemID
	}
	return ids
}

// lineNotice tells a guest, before placing, what the menu says now of a
// dish on the order: gone, sold out, or at another price (the order keeps
// the price the dish was added at).
func lineNotice(l ordering.Line, menu map[string]projections.MenuItem) string {
	it := menu[l.MenuItemID]
	switch why := whyNotOffered(menu, l.MenuItemID); {
	case why == "sold out":
		return "Sold out since you added it: remove it to place your order."
	case why != "":
		return "No longer on the menu: remove it to place your order."
	case it.Limited && l.Quantity > it.PortionsLeft:
		return fmt.Sprintf("%s Lower the quantity to place your order.", onlyLeft(it.PortionsLeft, l.Name))
	case menu[l.MenuItemID].Price != l.BasePrice():
		return fmt.Sprintf("The menu price is now %s; your order keeps %s, the price it was added at.", menu[l.MenuItemID].Price, l.BasePrice())
	}
	return ""
}

// The JSON form of an order: the resource and its hypermedia controls.

type lineDoc struct {
	LineID     string                  `json:"line_id"`
	MenuItemID string                  `json:"menu_item_id"`
	Name       string                  `json:"name"`
	Quantity   int                     `json:"quantity"`
	Note       string                  `json:"note"`
	Allergy    bool                    `json:"allergy"`
	Options    []ordering.ChosenOption `json:"options"`
	UnitPrice  domain.Money            `json:"unit_price"`
	Total      domain.Money            `json:"total"`
	Links      map[string]link         `json:"_links,omitempty"`
}

type orderDoc struct {
	OrderID string          `json:"order_id"`
	Number  int64           `json:"number"`
	Status  ordering.Status `json:"status"`
	// Progress is how far a placed order has got: "placed" until the
	// kitchen starts it, then
	// "preparing", "ready", "handed_over" or "out_for_delivery" and
	// "delivered"; else the status.
	Progress        string              `json:"progress"`
	Fulfilment      ordering.Fulfilment `json:"fulfilment"`
	DeliveryAddress *ordering.Address   `json:"delivery_address,omitempty"`
	Contact         *ordering.Contact   `json:"contact,omitempty"`
	Lines           []lineDoc           `json:"lines"`
	ItemCount       int                 `json:"item_count"`
	Total           domain.Money        `json:"total"`
	OpenedAt        time.Time           `json:"opened_at"`
	PlacedAt        *time.Time          `json:"placed_at,omitempty"`
	CanceledAt      *time.Time          `json:"canceled_at,omitempty"`
	// ScheduledFor is the time for later the order is asked for; null for
	// as soon as possible.
	ScheduledFor *time.Time `json:"scheduled_for"`
	// ReadyAt is the kitchen's quote: when an open order would be ready
	// if placed now, or a placed one will be (a delivery: at the door).
	ReadyAt *time.Time      `json:"ready_at,omitempty"`
	Version int             `json:"version"`
	Links   map[string]link `json:"_links"`
}

func orderJSON(o projections.Order, closed string) orderDoc {
	href := "/orders/" + o.OrderID
	doc := orderDoc{OrderID: o.OrderID, Number: o.Number, Status: o.Status, Progress: progressOf(o), Fulfilment: o.Fulfilment,
		Lines: []lineDoc{}, ItemCount: o.ItemCount, Total: o.Total, OpenedAt: o.OpenedAt, Version: o.Version,
		Links: map[string]link{"self": {Href: href}, "commands": {Href: href + "/commands"}}}
	if o.Fulfilment == ordering.FulfilmentDelivery {
		doc.DeliveryAddress = &o.DeliveryAddress
	}
	if o.Contact.Name != "" {
		doc.Contact = &o.Contact
	}
	if !o.PlacedAt.IsZero() {
		doc.PlacedAt = &o.PlacedAt
	}
	if !o.CanceledAt.IsZero() {
		doc.CanceledAt = &o.CanceledAt
	}
	if !o.ScheduledFor.IsZero() {
		doc.ScheduledFor = &o.ScheduledFor
	}
	allowed := commandLinks(o, closed)
	for name, l := range allowed {
		if name != "remove-item" && name != "change-quantity" && name != "change-options" {
			doc.Links[name] = l
		}
	}
	for _, l := range o.Lines {
		ld := lineDoc{LineID: l.LineID, MenuItemID: l.MenuItemID, Name: l.Name, Quantity: l.Quantity, Note: l.Note, Allergy: l.Allergy,
			Options: append([]ordering.ChosenOption{}, l.Options...), UnitPrice: l.UnitPrice, Total: l.Total(), Links: map[string]link{}}
		lineHref := href + "/items/" + l.LineID
		if _, ok := allowed["remove-item"]; ok {
			ld.Links["remove-item"] = link{Href: lineHref + "/commands/remove", Method: http.MethodPost, Fields: []string{"command_id"}}
		}
		if _, ok := allowed["change-quantity"]; ok {
			ld.Links["change-quantity"] = link{Href: lineHref + "/commands/change-quantity", Method: http.MethodPost, Fields: []string{"command_id", "quantity"}}
		}
		if _, ok := allowed["change-options"]; ok {
			ld.Links["change-options"] = link{Href: lineHref + "/commands/change-options", Method: http.MethodPost, Fields: []string{"command_id", optionFieldTemplate}}
		}
		doc.Lines = append(doc.Lines, ld)
	}
	return doc
}

// addItemFields are the fields of a command that adds a dish, an order's
// add-item and the open that adds one alike, but for the dish's choices.
var addItemFields = []string{"command_id", "menu_item_id", "quantity", "note", "allergy"}

// optionFieldTemplate names the fields of a dish's choices: one per group,
// a choice's id, or an array of them.
const optionFieldTemplate = ordering.OptionFieldPrefix + "{group_id}"

// commandLinks maps each command valid now to its URI; line commands name
// their template, as they apply to each line. While the restaurant takes no
// orders (closed says why), placing is not among them.
func commandLinks(o projections.Order, closed string) map[string]link {
	href := "/orders/" + o.OrderID
	all := map[ordering.CommandName]link{
		ordering.CmdAddItem:             {Href: href + "/items/commands/add", Fields: slices.Concat(addItemFields, []string{optionFieldTemplate})},
		ordering.CmdRemoveItem:          {Href: href + "/items/{line_id}/commands/remove", Fields: []string{"command_id"}},
		ordering.CmdChangeQuantity:      {Href: href + "/items/{line_id}/commands/change-quantity", Fields: []string{"command_id", "quantity"}},
		ordering.CmdChangeOptions:       {Href: href + "/items/{line_id}/commands/change-options", Fields: []string{"command_id", optionFieldTemplate}},
		ordering.CmdChoosePickup:        {Href: href + "/commands/choose-pickup", Fields: []string{"command_id"}},
		ordering.CmdGiveDeliveryAddress: {Href: href + "/commands/add-delivery-address", Fields: []string{"command_id", "street", "postal_code", "city", "instructions"}},
		ordering.CmdGiveContact:         {Href: href + "/commands/give-contact", Fields: []string{"command_id", "name", "phone", "email"}},
		ordering.CmdPlace:               {Href: href + "/commands/place", Fields: []string{"command_id"}},
		ordering.CmdCancel:              {Href: href + "/commands/cancel", Fields: []string{"command_id", "reason"}},
		ordering.CmdSchedule:            {Href: href + "/commands/schedule", Fields: []string{"command_id", ordering.ScheduleField}},
		ordering.CmdClearSchedule:       {Href: href + "/commands/clear-schedule", Fields: []string{"command_id"}},
	}
	out := map[string]link{}
	for _, c := range ordering.Allowed(o.State()) {
		if c == ordering.CmdPlace && closed != "" {
			continue
		}
		l := all[c]
		l.Method = http.MethodPost
		out[string(c)] = l
	}
	return out
}
