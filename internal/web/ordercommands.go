package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/domain/customers"
	"restaurant/domain/kitchen"
	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
	"restaurant/projections"
	"restaurant/views"
)

// ownedOrder is the ordering decider as one orderer sees it: another's
// order does not exist for them. Ownership is decided on the aggregate, not
// on a read model that may lag: the order's customer id, or, for a signed-in
// customer, the guest orders their own stream says they adopted.
func ownedOrder(owner string, adopted customers.State) domain.Decider[ordering.State, ordering.Command] {
	return domain.Decider[ordering.State, ordering.Command]{
		Evolve: ordering.Decider.Evolve,
		Decide: func(s ordering.State, c ordering.Command) ([]domain.Event, error) {
			if s.Status != ordering.StatusNone && s.CustomerID != owner && !adopted.HasAdopted(s.OrderID) {
				return nil, errNoSuchOrder
			}
			return ordering.Decider.Decide(s, c)
		},
	}
}

var errNoSuchOrder = domain.NotFound("There is no such order.")

// runOrderCommand decides and appends a command on an orderer's order (see
// orderer); request is the digest of the request that carried it.
func (d Deps) runOrderCommand(ctx context.Context, orderID, owner string, id uuid.UUID, request string, cmd ordering.Command) (eventstore.Result, error) {
	meta := eventstore.Metadata{CommandID: id, Actor: guestActor(owner), Request: request}
	var adopted customers.State
	if owner == signedInID(ctx) {
		var err error
		if adopted, err = d.customerState(ctx, owner); err != nil {
			return eventstore.Result{}, err
		}
	}
	owned := ownedOrder(owner, adopted)
	if cancel, ok := cmd.(ordering.CancelOrder); ok {
		return d.cancelOrderGuarded(ctx, orderID, owned, meta, cancel)
	}
	if place, ok := cmd.(ordering.PlaceOrder); ok {
		return d.placeTakingPortions(ctx, orderID, owned, meta, place)
	}
	return eventstore.Handle(ctx, d.Store, ordering.Stream(orderID), owned, meta, d.capped(cmd))
}

// cancelOrderGuarded cancels an order under its ticket's lock too, knowing
// whether the kitchen has started: a cook's start at the same moment waits,
// or is refused. Every cancel goes this way, a guest's or a manager's.
func (d Deps) cancelOrderGuarded(ctx context.Context, orderID string, decider domain.Decider[ordering.State, ordering.Command],
	meta eventstore.Metadata, cancel ordering.CancelOrder) (eventstore.Result, error) {
	return eventstore.HandleGuarded(ctx, d.Store, ordering.Stream(orderID), kitchen.Stream(orderID), decider, meta,
		func(ticket []eventstore.RecordedEvent) ordering.Command {
			cancel.KitchenStarted = kitchenStarted(ticket)
			return cancel
		})
}

// capped gives the commands that fill an order the restaurant's caps.
func (d Deps) capped(cmd ordering.Command) ordering.Command {
	switch c := cmd.(type) {
	case ordering.AddItem:
		c.Caps = d.OrderCaps
		return c
	case ordering.ChangeQuantity:
		c.Caps = d.OrderCaps
		return c
	case ordering.ChangeItemOptions:
		c.Caps = d.OrderCaps
		return c
	}
	return cmd
}

// kitchenStarted says whether a ticket's events show it being cooked, or
// further along.
func kitchenStarted(ticket []eventstore.RecordedEvent) bool {
	var s kitchen.State
	for _, e := range ticket {
		s = kitchen.Evolve(s, e.Event)
	}
	return s.Status != kitchen.StatusNone && s.Status != kitchen.StatusQueued && s.Status != kitchen.StatusCanceled
}

// orderCommand is one of an order's command URIs.
type orderCommand struct {
	// form names the page form its errors belong to.
	form func(r *http.Request) string
	// fieldForms, when set, name the forms whose fields the command's field
	// errors are about, by the first field at fault ("" for any other):
	// placing without a contact points at the contact form, placing at a
	// time no longer kept at the form that chooses it.
	fieldForms map[string]string
	// build reads the command from the request.
	build func(ctx context.Context, r *http.Request, in input) (ordering.Command, error)
	// backToMenu sends a form's poster back to the menu rather than the order.
	backToMenu bool
	// counts names the order limit the command counts against, if any.
	counts orderAction
}

// serve handles the command: JSON gets 202 or a problem; a form gets 303 or
// its page again (422, 409) with the input kept and the message beside it.
func (d Deps) serve(oc orderCommand) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := withTimeout(r, 10*time.Second)
		defer cancel()
		orderID := chi.URLParam(r, "orderID")
		guest, ok := orderer(r)
		if _, err := uuid.Parse(orderID); err != nil || !ok {
			fail(w, r, errNoSuchOrder)
			return
		}
		in, err := readInput(w, r)
		if err != nil {
			fail(w, r, err)
			return
		}
		cmd, err := oc.build(ctx, r, in)
		giveBack := func() {}
		if err == nil && oc.counts != "" {
			giveBack, err = d.takeOrderQuota(ctx, r, guest, oc.counts, in.commandID(guest))
		}
		var res eventstore.Result
		if err == nil {
			res, err = d.runOrderCommand(ctx, orderID, guest, in.commandID(guest), in.request, cmd)
			if wroteNothing(err, res.Duplicate, len(res.Events)) {
				giveBack()
			}
		}
		if err != nil {
			d.orderCommandFailed(w, r, oc, in, orderID, guest, err)
			return
		}
		if in.json {
			accepted(w, http.StatusAccepted, res, map[string]any{"order_id": orderID, "_links": map[string]link{
				"order":    {Href: "/orders/" + orderID},
				"commands": {Href: "/orders/" + orderID + "/commands"},
			}})
			return
		}
		if add, ok := cmd.(ordering.AddItem); ok && oc.backToMenu {
			// Back to the dish, so the guest keeps their place on the menu.
			backToDish(w, r, add.MenuItemID, add.LineID)
			return
		}
		redirectAfter(w, r, "/orders/"+orderID, nil)
	}
}

func (d Deps) orderCommandFailed(w http.ResponseWriter, r *http.Request, oc orderCommand, in input, orderID, guest string, err error) {
	commandFailed(w, r, in, err, func(status int) {
		form := oc.form(r)
		var de *domain.Error
		if errors.As(err, &de) && len(de.FieldErrors()) > 0 {
			if f, ok := oc.fieldForms[de.FieldErrors()[0].Field]; ok {
				form = f
			} else if f, ok := oc.fieldForms[""]; ok {
				form = f
			}
		}
		fe := formError(r, form, in, err)
		if oc.backToMenu {
			d.renderMenu(w, r, status, guest, fe, true)
			return
		}
		d.renderOrder(w, r, status, orderID, guest, fe)
	})
}

// formError keeps what the guest typed and says what to fix, next to each
// field at fault.
func formError(r *http.Request, form string, in input, err error) *views.FormError {
	fe := &views.FormError{Form: form, Values: in.values, Lists: in.lists}
	var de *domain.Error
	if errors.As(err, &de) {
		fe.Field, fe.Message = de.Field, de.Message
		for _, f := range de.FieldErrors() {
			fe.Fields = append(fe.Fields, views.FieldMessage{Field: f.Field, Message: f.Message})
		}
	} else {
		fe.Message = problemOf(r, err, statusOf(err)).Detail
	}
	return fe
}

func lineForm(r *http.Request) string { return "line-" + chi.URLParam(r, "lineID") }

func fixedForm(name string) func(*http.Request) string {
	return func(*http.Request) string { return name }
}

// The command URIs of an order.

func (d Deps) addItem(w http.ResponseWriter, r *http.Request) {
	d.serve(orderCommand{
		form:       func(r *http.Request) string { return "add-" + r.PostFormValue("menu_item_id") },
		backToMenu: true,
		build: func(ctx context.Context, r *http.Request, in input) (ordering.Command, error) {
			guest, _ := orderer(r)
			return d.addItemCommand(ctx, in, in.commandID(guest))
		},
	})(w, r)
}

// addItemCommand reads an add-item form against the menu as it is now: the
// order records the dish's name and price at this moment.
func (d Deps) addItemCommand(ctx context.Context, in input, commandID uuid.UUID) (ordering.AddItem, error) {
	return addItemForm(in, commandID, func(id string) (projections.MenuItem, bool, error) { return d.menuItem(ctx, id) })
}

// addItemForm reads an add-item form, looking the dish up in a menu.
func addItemForm(in input, commandID uuid.UUID, menuItem func(id string) (projections.MenuItem, bool, error)) (ordering.AddItem, error) {
	itemID := strings.TrimSpace(in.values["menu_item_id"])
	if itemID == "" {
		return ordering.AddItem{}, domain.Invalid("menu_item_id", "Choose a dish from the menu.")
	}
	item, listed, err := menuItem(itemID)
	if err != nil {
		return ordering.AddItem{}, err
	}
	if !listed {
		return ordering.AddItem{}, domain.Invalid("menu_item_id", "That dish is not on the menu.")
	}
	if item.SoldOut || item.NoneLeft() {
		return ordering.AddItem{}, domain.Invalid("menu_item_id", "Sorry, %s is sold out for now.", item.Name)
	}
	qty, err := in.quantity()
	if err != nil {
		return ordering.AddItem{}, err
	}
	if item.Limited && qty > item.PortionsLeft {
		return ordering.AddItem{}, domain.Invalid("quantity", "%s", onlyLeft(item.PortionsLeft, item.Name))
	}
	allergy, err := in.flag("allergy", "This is for an allergy")
	if err != nil {
		return ordering.AddItem{}, err
	}
	return ordering.AddItem{
		LineID: uuid.NewSHA1(commandID, []byte("line")).String(), MenuItemID: item.ItemID, Name: item.Name,
		Quantity: qty, Note: in.values["note"], Allergy: allergy, UnitPrice: item.Price, Options: dishOptions(item), Picks: in.picks(),
	}, nil
}

// dishOptions are a dish's groups of choices as the menu has them, told to
// the order that checks a guest's choices against them.
func dishOptions(item projections.MenuItem) []ordering.OptionGroup {
	var groups []ordering.OptionGroup
	for _, g := range item.Options {
		og := ordering.OptionGroup{ID: g.ID, Name: g.Name, Required: g.Required, Min: g.Min, Max: g.Max}
		for _, c := range g.Choices {
			og.Choices = append(og.Choices, ordering.OptionChoice{ID: c.ID, Name: c.Name, PriceChange: c.PriceChange})
		}
		groups = append(groups, og)
	}
	return groups
}

func (d Deps) changeOptions(w http.ResponseWriter, r *http.Request) {
	d.serve(orderCommand{form: optionsForm, build: func(ctx context.Context, r *http.Request, in input) (ordering.Command, error) {
		return d.changeOptionsCommand(r.WithContext(ctx), chi.URLParam(r, "orderID"), chi.URLParam(r, "lineID"), in)
	}})(w, r)
}

func optionsForm(r *http.Request) string { return "options-" + chi.URLParam(r, "lineID") }

// changeOptionsCommand reads a line's options form against the dish as the
// menu has it now. The line's dish comes from the order itself; one that
// is no longer on the menu, or sold out, takes no new choices. Someone
// else's order is left for the order to refuse as not found.
func (d Deps) changeOptionsCommand(r *http.Request, orderID, lineID string, in input) (ordering.ChangeItemOptions, error) {
	ctx := r.Context()
	cmd := ordering.ChangeItemOptions{LineID: lineID, Picks: in.picks()}
	order, _, err := eventstore.Load(ctx, d.Store, ordering.Stream(orderID), ordering.Decider)
	if err != nil {
		return cmd, err
	}
	l, ok := order.Line(lineID)
	if guest, _ := orderer(r); !ok || order.CustomerID != guest {
		if adopted, err := d.adoptedBySignedIn(r, orderID); err != nil || !ok || !adopted {
			return cmd, err // the order refuses it: no such line, or no such order
		}
	}
	menu, err := d.menuByID(ctx, true)
	if err != nil {
		return cmd, err
	}
	if why := whyUnavailable(menu, l.MenuItemID); why != "" {
		return cmd, domain.Invalid("options", "Sorry, %s is %s; its choices can no longer be changed.", l.Name, why)
	}
	cmd.Options = dishOptions(menu[l.MenuItemID])
	return cmd, nil
}

func (d Deps) removeItem(w http.ResponseWriter, r *http.Request) {
	d.serve(orderCommand{form: lineForm, build: func(_ context.Context, r *http.Request, _ input) (ordering.Command, error) {
		return ordering.RemoveItem{LineID: chi.URLParam(r, "lineID")}, nil
	}})(w, r)
}

func (d Deps) changeQuantity(w http.ResponseWriter, r *http.Request) {
	d.serve(orderCommand{form: lineForm, build: func(_ context.Context, r *http.Request, in input) (ordering.Command, error) {
		return changeQuantityCommand(chi.URLParam(r, "lineID"), in)
	}})(w, r)
}

// changeQuantityCommand reads a change-quantity form for a line.
func changeQuantityCommand(lineID string, in input) (ordering.ChangeQuantity, error) {
	qty, err := in.quantity()
	return ordering.ChangeQuantity{LineID: lineID, Quantity: qty}, err
}

func (d Deps) choosePickup(w http.ResponseWriter, r *http.Request) {
	d.serve(orderCommand{form: fixedForm("order"), build: func(context.Context, *http.Request, input) (ordering.Command, error) {
		return ordering.ChoosePickup{}, nil
	}})(w, r)
}

func (d Deps) giveDeliveryAddress(w http.ResponseWriter, r *http.Request) {
	d.serve(orderCommand{form: fixedForm("delivery"), build: func(_ context.Context, r *http.Request, in input) (ordering.Command, error) {
		if id := in.values["address_id"]; id != "" {
			return d.savedAddressCommand(r, id)
		}
		return deliveryAddressCommand(in), nil
	}})(w, r)
}

// savedAddressCommand delivers to an address of the signed-in customer's
// book, as it is now; any other id (another customer's, one removed
// meanwhile) is refused on the field.
func (d Deps) savedAddressCommand(r *http.Request, id string) (ordering.GiveDeliveryAddress, error) {
	c, ok, err := d.signedInCustomer(r)
	if err != nil {
		return ordering.GiveDeliveryAddress{}, err
	}
	if ok {
		for _, a := range c.Addresses {
			if a.ID == id {
				return ordering.GiveDeliveryAddress{Address: ordering.Address{Street: a.Street, City: a.City,
					PostalCode: a.PostalCode, Instructions: a.Instructions}}, nil
			}
		}
	}
	return ordering.GiveDeliveryAddress{}, domain.Invalid("address_id", "That address is not in your address book; choose another, or type one.")
}

// deliveryAddressCommand reads a delivery address form; the order trims and
// checks the fields.
func deliveryAddressCommand(in input) ordering.GiveDeliveryAddress {
	return ordering.GiveDeliveryAddress{Address: ordering.Address{
		Street: in.values["street"], City: in.values["city"], PostalCode: in.values["postal_code"],
		Instructions: in.values["instructions"],
	}}
}

func (d Deps) giveContact(w http.ResponseWriter, r *http.Request) {
	d.serve(orderCommand{form: fixedForm("contact"), build: func(_ context.Context, _ *http.Request, in input) (ordering.Command, error) {
		return contactCommand(in), nil
	}})(w, r)
}

// contactCommand reads a contact form; the order trims and checks the
// fields.
func contactCommand(in input) ordering.GiveContact {
	return ordering.GiveContact{Name: in.values["name"], Phone: in.values["phone"], Email: in.values["email"]}
}

// contactDefaults is what the order page's contact form starts with before
// the order has a contact: the place where a signed-in customer's name,
// phone and account email come in. Guests start with an empty form.
func (d Deps) contactDefaults(r *http.Request) (name, phone, email string) {
	c, ok, err := d.signedInCustomer(r)
	if err != nil || !ok {
		return "", "", ""
	}
	return c.Name, c.Phone, c.Email
}

// contactEmail is the email an order's contact gave for updates, read from
// the order's own stream (sealed there, and kept in no read model); "" when
// none was given, or it cannot be read now.
func (d Deps) contactEmail(ctx context.Context, orderID string) string {
	order, _, err := eventstore.Load(ctx, d.Store, ordering.Stream(orderID), ordering.Decider)
	if err != nil {
		slog.WarnContext(ctx, "the order's contact email could not be read", "order_id", orderID, "err", err)
		return ""
	}
	return order.Contact.Email
}

func (d Deps) placeOrder(w http.ResponseWriter, r *http.Request) {
	fieldForms := map[string]string{"": "contact", ordering.ScheduleField: "schedule"}
	d.serve(orderCommand{form: fixedForm("place"), fieldForms: fieldForms, counts: placing, build: func(ctx context.Context, r *http.Request, _ input) (ordering.Command, error) {
		orderID := chi.URLParam(r, "orderID")
		order, _, err := eventstore.Load(ctx, d.Store, ordering.Stream(orderID), ordering.Decider)
		if err != nil {
			return nil, err
		}
		unavailable, err := d.unavailableDishes(ctx, order)
		if err != nil {
			return nil, err
		}
		s, err := d.settingsNow(ctx)
		if err != nil {
			return nil, err
		}
		now := s.OrderingAt(d.localNow())
		place := ordering.PlaceOrder{At: d.Now().UTC(), Unavailable: unavailable, Closed: now.Reason, Paused: now.Paused}
		switch {
		case !order.ScheduledFor.IsZero():
			// An order for later: its time is checked again, against the
			// hours and the kitchen's queue as they are now.
			place.Window = d.window(ctx, orderID, order.Lines, order.Fulfilment, s)
		case place.Closed == "" && len(order.Lines) > 0:
			// Pacing: while the kitchen's wait is past the pace's limit,
			// no order is placed now. A quote that cannot be made stops none.
			switch q, err := d.quoteFor(ctx, orderID, menuIDsOf(order.Lines), order.Fulfilment == ordering.FulfilmentDelivery); {
			case err != nil:
				slog.Warn("placing without a quote", "order_id", orderID, "err", err)
			case q.Full:
				place.Closed = q.fullWords()
			}
		}
		return place, nil
	}})(w, r)
}

// unavailableDishes says which of an order's dishes the menu no longer
// offers, and why: what placing it checks against.
func (d Deps) unavailableDishes(ctx context.Context, order ordering.State) (map[string]string, error) {
	menu, err := d.menuByID(ctx, true)
	if err != nil {
		return nil, err
	}
	unavailable := map[string]string{}
	for _, l := range order.Lines {
		if why := whyUnavailable(menu, l.MenuItemID); why != "" {
			unavailable[l.MenuItemID] = why
		}
	}
	return unavailable, nil
}

func (d Deps) cancelOrder(w http.ResponseWriter, r *http.Request) {
	d.serve(orderCommand{form: fixedForm("cancel"), build: func(_ context.Context, _ *http.Request, in input) (ordering.Command, error) {
		return cancelOrderCommand(in, d.Now().UTC()), nil
	}})(w, r)
}

// cancelOrderCommand reads a cancel form: the reason is optional.
func cancelOrderCommand(in input, at time.Time) ordering.CancelOrder {
	return ordering.CancelOrder{Reason: in.values["reason"], At: at}
}
