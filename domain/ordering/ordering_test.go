package ordering

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"restaurant/domain"
	"restaurant/internal/decidertest"
)

// spec is one given/when/then case: fold given, decide when, expect then or
// an error with wantErr code (and wantField for invalid input).
type spec struct {
	name      string
	given     []domain.Event
	when      Command
	then      []domain.Event
	wantErr   string
	wantField string
	// wantMessage, when set, is a part the refusal's message must hold.
	wantMessage string
	// wantFields, when set, are every field the refusal names, in order.
	wantFields []string
}

func fold(es ...domain.Event) State {
	var s State
	for _, e := range es {
		s = Evolve(s, e)
	}
	return s
}

// run checks one spec and prints both sides when they differ.
func run(t *testing.T, tc spec) {
	t.Helper()
	got, err := Decide(fold(tc.given...), tc.when)
	decidertest.Check(t, got, err, decidertest.Want{Then: tc.then, Code: tc.wantErr, Field: tc.wantField, Message: tc.wantMessage})
	var de *domain.Error
	if tc.wantFields != nil && errors.As(err, &de) {
		var fields []string
		for _, f := range de.FieldErrors() {
			fields = append(fields, f.Field)
			if !strings.HasSuffix(f.Message, ".") {
				t.Errorf("message %q for %s should be a full sentence", f.Message, f.Field)
			}
		}
		if !slices.Equal(fields, tc.wantFields) {
			t.Errorf("refusal names fields %v, want %v", fields, tc.wantFields)
		}
	}
}

func runAll(t *testing.T, specs []spec) {
	t.Helper()
	for _, tc := range specs {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

const oid = "order-1"

var (
	t0      = time.Date(2025, 3, 14, 18, 30, 0, 0, time.UTC)
	t1      = t0.Add(20 * time.Minute)
	opened  = OrderOpened{OrderID: oid, CustomerID: "cust-1", OpenedAt: t0}
	pizza   = ItemAddedToOrder{OrderID: oid, LineID: "l1", MenuItemID: "pizza", Name: "Margherita", Quantity: 2, Note: "Extra basil.", UnitPrice: domain.Cents(950)}
	beer    = ItemAddedToOrder{OrderID: oid, LineID: "l2", MenuItemID: "beer", Name: "Lager", Quantity: 1, UnitPrice: domain.Cents(450)}
	home    = Address{Street: "Main Street 1", City: "Springfield", PostalCode: "12345", Instructions: "Ring twice."}
	pickup  = PickupChosen{OrderID: oid}
	toHome  = DeliveryAddressGiven{OrderID: oid, SubjectID: "cust-1", Address: home}
	placed  = OrderPlaced{OrderID: oid, PlacedAt: t1, Total: domain.Cents(2350)}
	cancel  = OrderCanceled{OrderID: oid, Reason: "Changed my mind.", CanceledAt: t1}
	started = OrderPreparationStarted{OrderID: oid, StartedAt: t1}
	ana     = ContactGiven{OrderID: oid, SubjectID: "cust-1", Name: "Ana", Phone: "+351912345678"}
	anaName = ContactGiven{OrderID: oid, SubjectID: "cust-1", Name: "Ana"}

	// roomy caps let an order hold more than any test puts in it.
	roomy = Caps{MaxDishes: 10_000, MaxTotal: domain.Cents(100_000_000)}

	addPizza = AddItem{LineID: "l1", MenuItemID: "pizza", Name: "Margherita", Quantity: 2, Note: "Extra basil.", UnitPrice: domain.Cents(950)}
)

func add(f func(*AddItem)) AddItem {
	c := addPizza
	f(&c)
	return c
}

func added(f func(*ItemAddedToOrder)) ItemAddedToOrder {
	e := pizza
	f(&e)
	return e
}

func address(f func(*Address)) GiveDeliveryAddress {
	a := home
	f(&a)
	return GiveDeliveryAddress{Address: a}
}

// lines returns n distinct ItemAddedToOrder events.
func lines(n int) []domain.Event {
	es := make([]domain.Event, n)
	for i := range es {
		es[i] = added(func(e *ItemAddedToOrder) { e.LineID = fmt.Sprintf("line-%d", i) })
	}
	return es
}

func given(es ...any) []domain.Event {
	var out []domain.Event
	for _, e := range es {
		switch e := e.(type) {
		case domain.Event:
			out = append(out, e)
		case []domain.Event:
			out = append(out, e...)
		}
	}
	return out
}

func TestOpenOrder(t *testing.T) {
	open := OpenOrder{OrderID: oid, CustomerID: "cust-1", At: t0}
	runAll(t, []spec{
		{name: "opens", when: open, then: []domain.Event{opened}},
		{name: "missing order id", when: OpenOrder{CustomerID: "cust-1", At: t0}, wantErr: domain.EINVALID, wantField: "order_id"},
		{name: "missing customer id", when: OpenOrder{OrderID: oid, CustomerID: "  ", At: t0}, wantErr: domain.EINVALID, wantField: "customer_id"},
		{name: "already open", given: given(opened), when: open, wantErr: domain.ECONFLICT},
		{name: "already placed", given: given(opened, pizza, pickup, placed), when: open, wantErr: domain.ECONFLICT},
		{name: "already canceled", given: given(opened, cancel), when: open, wantErr: domain.ECONFLICT},
		{name: "the restaurant is closed", when: OpenOrder{OrderID: oid, CustomerID: "cust-1", At: t0, Closed: "We are closed now; ordering opens today at 18:00."},
			wantErr: domain.ECONFLICT, wantMessage: "We are closed now; ordering opens today at 18:00."},
	})
}

func TestAddItem(t *testing.T) {
	// Caps roomy enough that only the per-line and per-order line limits count.
	withQty := func(q int) AddItem { return add(func(c *AddItem) { c.Quantity, c.Caps = q, roomy }) }
	roomyPizza := add(func(c *AddItem) { c.Caps = roomy })
	addedQty := func(q int) []domain.Event {
		return []domain.Event{added(func(e *ItemAddedToOrder) { e.Quantity = q })}
	}
	note200, note201 := strings.Repeat("é", 200), strings.Repeat("é", 201)
	runAll(t, []spec{
		{name: "adds a line", given: given(opened), when: addPizza, then: []domain.Event{pizza}},
		{name: "trims note and name",
			given: given(opened),
			when:  add(func(c *AddItem) { c.Note, c.Name = "  Extra basil.\n", " Margherita " }),
			then:  []domain.Event{pizza}},
		{name: "note is optional",
			given: given(opened),
			when:  add(func(c *AddItem) { c.Note = "   " }),
			then:  []domain.Event{added(func(e *ItemAddedToOrder) { e.Note = "" })}},
		{name: "same dish on a second line",
			given: given(opened, pizza),
			when:  add(func(c *AddItem) { c.LineID, c.Note = "l9", "" }),
			then:  []domain.Event{added(func(e *ItemAddedToOrder) { e.LineID, e.Note = "l9", "" })}},
		{name: "allowed after choosing fulfilment",
			given: given(opened, toHome),
			when:  addPizza,
			then:  []domain.Event{pizza}},
		{name: "quantity 1", given: given(opened), when: withQty(1), then: addedQty(1)},
		{name: "quantity 99", given: given(opened), when: withQty(99), then: addedQty(99)},
		{name: "quantity 0", given: given(opened), when: withQty(0), wantErr: domain.EINVALID, wantField: "quantity"},
		{name: "quantity 100", given: given(opened), when: withQty(100), wantErr: domain.EINVALID, wantField: "quantity"},
		{name: "quantity -1", given: given(opened), when: withQty(-1), wantErr: domain.EINVALID, wantField: "quantity"},
		{name: "note of 200 multi-byte runes",
			given: given(opened),
			when:  add(func(c *AddItem) { c.Note = " " + note200 + " " }),
			then:  []domain.Event{added(func(e *ItemAddedToOrder) { e.Note = note200 })}},
		{name: "note of 201 multi-byte runes", given: given(opened), when: add(func(c *AddItem) { c.Note = note201 }), wantErr: domain.EINVALID, wantField: "note"},
		{name: "an allergy with what to leave out",
			given: given(opened),
			when:  add(func(c *AddItem) { c.Note, c.Allergy = " no nuts ", true }),
			then:  []domain.Event{added(func(e *ItemAddedToOrder) { e.Note, e.Allergy = "no nuts", true })}},
		{name: "an allergy without a note", given: given(opened), when: add(func(c *AddItem) { c.Note, c.Allergy = "", true }),
			wantErr: domain.EINVALID, wantField: "note", wantMessage: "Please say which allergy", wantFields: []string{"note"}},
		{name: "an allergy with a blank note", given: given(opened), when: add(func(c *AddItem) { c.Note, c.Allergy = " \t\n", true }),
			wantErr: domain.EINVALID, wantField: "note", wantMessage: "so the kitchen knows what to leave out"},
		{name: "an allergy with a note too long", given: given(opened), when: add(func(c *AddItem) { c.Note, c.Allergy = note201, true }),
			wantErr: domain.EINVALID, wantField: "note", wantMessage: "at most 200"},
		{name: "an allergy without a note, and a bad quantity", given: given(opened), when: add(func(c *AddItem) { c.Note, c.Allergy, c.Quantity = "", true, 0 }),
			wantErr: domain.EINVALID, wantField: "quantity", wantFields: []string{"quantity", "note"}},
		{name: "an allergy line beside the same dish without one",
			given: given(opened, pizza),
			when:  add(func(c *AddItem) { c.LineID, c.Note, c.Allergy = "l9", "no basil: allergic", true }),
			then:  []domain.Event{added(func(e *ItemAddedToOrder) { e.LineID, e.Note, e.Allergy = "l9", "no basil: allergic", true })}},
		{name: "an allergy on an order already placed", given: given(opened, beer, pickup, placed), when: add(func(c *AddItem) { c.Note, c.Allergy = "", true }),
			wantErr: domain.ECONFLICT},
		{name: "missing line id", given: given(opened), when: add(func(c *AddItem) { c.LineID = "" }), wantErr: domain.EINVALID, wantField: "line_id"},
		{name: "missing menu item", given: given(opened), when: add(func(c *AddItem) { c.MenuItemID = " " }), wantErr: domain.EINVALID, wantField: "menu_item_id"},
		{name: "missing name", given: given(opened), when: add(func(c *AddItem) { c.Name = "" }), wantErr: domain.EINVALID, wantField: "menu_item_id"},
		{name: "zero price", given: given(opened), when: add(func(c *AddItem) { c.UnitPrice = domain.Cents(0) }), wantErr: domain.EINVALID, wantField: "menu_item_id"},
		{name: "negative price", given: given(opened), when: add(func(c *AddItem) { c.UnitPrice = domain.Cents(-950) }), wantErr: domain.EINVALID, wantField: "menu_item_id"},
		{name: "price in another currency", given: given(opened), when: add(func(c *AddItem) { c.UnitPrice = domain.Money{Amount: 950, Currency: "USD"} }), wantErr: domain.EINVALID, wantField: "menu_item_id"},
		{name: "line id already used", given: given(opened, pizza), when: addPizza, wantErr: domain.ECONFLICT},
		{name: "line id reused after removal", given: given(opened, pizza, ItemRemovedFromOrder{OrderID: oid, LineID: "l1"}), when: addPizza, then: []domain.Event{pizza}},
		{name: "49 lines leave room for one more", given: given(opened, lines(49)), when: roomyPizza, then: []domain.Event{pizza}},
		{name: "50 lines are the limit", given: given(opened, lines(50)), when: roomyPizza, wantErr: domain.ECONFLICT},
		{name: "order never opened", when: addPizza, wantErr: domain.ENOTFOUND},
		{name: "order placed", given: given(opened, beer, pickup, placed), when: addPizza, wantErr: domain.ECONFLICT},
		{name: "order placed, even with bad input", given: given(opened, beer, pickup, placed), when: withQty(0), wantErr: domain.ECONFLICT},
		{name: "order canceled", given: given(opened, cancel), when: addPizza, wantErr: domain.ECONFLICT},
	})
}

func TestRemoveItem(t *testing.T) {
	removed := ItemRemovedFromOrder{OrderID: oid, LineID: "l1"}
	runAll(t, []spec{
		{name: "removes a line", given: given(opened, pizza, beer), when: RemoveItem{LineID: "l1"}, then: []domain.Event{removed}},
		{name: "removes the last line", given: given(opened, pizza), when: RemoveItem{LineID: "l1"}, then: []domain.Event{removed}},
		{name: "unknown line", given: given(opened, beer), when: RemoveItem{LineID: "l1"}, wantErr: domain.ENOTFOUND},
		{name: "empty line id", given: given(opened, beer), when: RemoveItem{}, wantErr: domain.ENOTFOUND},
		{name: "already removed", given: given(opened, pizza, removed), when: RemoveItem{LineID: "l1"}, wantErr: domain.ENOTFOUND},
		{name: "order never opened", when: RemoveItem{LineID: "l1"}, wantErr: domain.ENOTFOUND},
		{name: "order placed", given: given(opened, pizza, pickup, placed), when: RemoveItem{LineID: "l1"}, wantErr: domain.ECONFLICT},
		{name: "order canceled", given: given(opened, pizza, cancel), when: RemoveItem{LineID: "l1"}, wantErr: domain.ECONFLICT},
	})
}

func TestChangeQuantity(t *testing.T) {
	to := func(q int) ChangeQuantity { return ChangeQuantity{LineID: "l1", Quantity: q} }
	changed := func(q int) []domain.Event {
		return []domain.Event{ItemQuantityChanged{OrderID: oid, LineID: "l1", Quantity: q}}
	}
	runAll(t, []spec{
		{name: "changes", given: given(opened, pizza, beer), when: to(5), then: changed(5)},
		{name: "to 1", given: given(opened, pizza), when: to(1), then: changed(1)},
		{name: "to 99", given: given(opened, pizza), when: ChangeQuantity{LineID: "l1", Quantity: 99, Caps: roomy}, then: changed(99)},
		{name: "same quantity is a no-op", given: given(opened, pizza), when: to(2), then: nil},
		{name: "same as the last change is a no-op", given: given(opened, pizza, changed(7)[0]), when: to(7), then: nil},
		{name: "back to the original quantity", given: given(opened, pizza, changed(7)[0]), when: to(2), then: changed(2)},
		{name: "to 0", given: given(opened, pizza), when: to(0), wantErr: domain.EINVALID, wantField: "quantity"},
		{name: "to 100", given: given(opened, pizza), when: to(100), wantErr: domain.EINVALID, wantField: "quantity"},
		{name: "to -1", given: given(opened, pizza), when: to(-1), wantErr: domain.EINVALID, wantField: "quantity"},
		{name: "unknown line", given: given(opened, beer), when: to(3), wantErr: domain.ENOTFOUND},
		{name: "removed line", given: given(opened, pizza, ItemRemovedFromOrder{OrderID: oid, LineID: "l1"}), when: to(3), wantErr: domain.ENOTFOUND},
		{name: "order never opened", when: to(3), wantErr: domain.ENOTFOUND},
		{name: "order placed", given: given(opened, pizza, pickup, placed), when: to(3), wantErr: domain.ECONFLICT},
		{name: "order canceled", given: given(opened, pizza, cancel), when: to(3), wantErr: domain.ECONFLICT},
	})
}

func TestChoosePickup(t *testing.T) {
	runAll(t, []spec{
		{name: "chooses pickup", given: given(opened), when: ChoosePickup{}, then: []domain.Event{pickup}},
		{name: "pickup again is a no-op", given: given(opened, pizza, pickup), when: ChoosePickup{}, then: nil},
		{name: "switches from delivery", given: given(opened, toHome), when: ChoosePickup{}, then: []domain.Event{pickup}},
		{name: "order never opened", when: ChoosePickup{}, wantErr: domain.ENOTFOUND},
		{name: "order placed", given: given(opened, pizza, toHome, placed), when: ChoosePickup{}, wantErr: domain.ECONFLICT},
		{name: "order canceled", given: given(opened, cancel), when: ChoosePickup{}, wantErr: domain.ECONFLICT},
	})
}

func TestGiveDeliveryAddress(t *testing.T) {
	given200 := strings.Repeat("ö", 200)
	runAll(t, []spec{
		{name: "gives an address", given: given(opened), when: GiveDeliveryAddress{Address: home}, then: []domain.Event{toHome}},
		{name: "trims every field",
			given: given(opened),
			when:  GiveDeliveryAddress{Address: Address{Street: " Main Street 1 ", City: "\tSpringfield", PostalCode: "12345 ", Instructions: "  Ring twice.  "}},
			then:  []domain.Event{toHome}},
		{name: "instructions are optional",
			given: given(opened),
			when:  address(func(a *Address) { a.Instructions = " " }),
			then:  []domain.Event{DeliveryAddressGiven{OrderID: oid, SubjectID: "cust-1", Address: Address{Street: home.Street, City: home.City, PostalCode: home.PostalCode}}}},
		{name: "switches from pickup", given: given(opened, pickup), when: GiveDeliveryAddress{Address: home}, then: []domain.Event{toHome}},
		{name: "same address is a no-op", given: given(opened, toHome), when: GiveDeliveryAddress{Address: home}, then: nil},
		{name: "same address after trimming is a no-op", given: given(opened, toHome), when: address(func(a *Address) { a.City = " Springfield " }), then: nil},
		{name: "another address",
			given: given(opened, toHome),
			when:  address(func(a *Address) { a.Street = "Elm Street 2" }),
			then:  []domain.Event{DeliveryAddressGiven{OrderID: oid, SubjectID: "cust-1", Address: Address{Street: "Elm Street 2", City: home.City, PostalCode: home.PostalCode, Instructions: home.Instructions}}}},
		{name: "longest fields",
			given: given(opened),
			when: GiveDeliveryAddress{Address: Address{
				Street: strings.Repeat("ä", 120), City: strings.Repeat("ä", 60), PostalCode: strings.Repeat("ä", 12), Instructions: given200,
			}},
			then: []domain.Event{DeliveryAddressGiven{OrderID: oid, SubjectID: "cust-1", Address: Address{
				Street: strings.Repeat("ä", 120), City: strings.Repeat("ä", 60), PostalCode: strings.Repeat("ä", 12), Instructions: given200,
			}}}},
		{name: "missing street", given: given(opened), when: address(func(a *Address) { a.Street = "  " }), wantErr: domain.EINVALID, wantField: "street"},
		{name: "street too long", given: given(opened), when: address(func(a *Address) { a.Street = strings.Repeat("ä", 121) }), wantErr: domain.EINVALID, wantField: "street"},
		{name: "missing city", given: given(opened), when: address(func(a *Address) { a.City = "" }), wantErr: domain.EINVALID, wantField: "city"},
		{name: "city too long", given: given(opened), when: address(func(a *Address) { a.City = strings.Repeat("ä", 61) }), wantErr: domain.EINVALID, wantField: "city"},
		{name: "missing postal code", given: given(opened), when: address(func(a *Address) { a.PostalCode = "" }), wantErr: domain.EINVALID, wantField: "postal_code"},
		{name: "postal code too long", given: given(opened), when: address(func(a *Address) { a.PostalCode = strings.Repeat("9", 13) }), wantErr: domain.EINVALID, wantField: "postal_code"},
		{name: "instructions too long", given: given(opened), when: address(func(a *Address) { a.Instructions = given200 + "ö" }), wantErr: domain.EINVALID, wantField: "instructions"},
		{name: "every bad field at once", given: given(opened),
			when:    GiveDeliveryAddress{Address: Address{Street: " ", City: strings.Repeat("ä", 61), PostalCode: "", Instructions: given200 + "ö"}},
			wantErr: domain.EINVALID, wantField: "street", wantFields: []string{"street", "postal_code", "city", "instructions"},
			wantMessage: "Please enter the street and house number. Please enter the postal code."},
		{name: "order never opened", when: GiveDeliveryAddress{Address: home}, wantErr: domain.ENOTFOUND},
		{name: "order placed", given: given(opened, pizza, pickup, placed), when: GiveDeliveryAddress{Address: home}, wantErr: domain.ECONFLICT},
		{name: "order canceled", given: given(opened, cancel), when: GiveDeliveryAddress{Address: home}, wantErr: domain.ECONFLICT},
	})
}

func TestGiveContact(t *testing.T) {
	long := strings.Repeat("ñ", MaxContactNameLength)
	runAll(t, []spec{
		{name: "a name for pickup", given: given(opened, pickup), when: GiveContact{Name: " Ana "}, then: []domain.Event{anaName}},
		{name: "a name before choosing", given: given(opened), when: GiveContact{Name: "Ana"}, then: []domain.Event{anaName}},
		{name: "the phone is kept as digits", given: given(opened, toHome), when: GiveContact{Name: "Ana", Phone: " +351 (912) 345-678 "}, then: []domain.Event{ana}},
		{name: "the same contact is a no-op", given: given(opened, ana), when: GiveContact{Name: "Ana", Phone: "+351 912 345 678"}, then: nil},
		{name: "another contact replaces it", given: given(opened, ana), when: GiveContact{Name: "Rui", Phone: "912345678"},
			then: []domain.Event{ContactGiven{OrderID: oid, SubjectID: "cust-1", Name: "Rui", Phone: "912345678"}}},
		{name: "longest name", given: given(opened), when: GiveContact{Name: long}, then: []domain.Event{ContactGiven{OrderID: oid, SubjectID: "cust-1", Name: long}}},
		{name: "no name", given: given(opened, pickup), when: GiveContact{Name: "  "}, wantErr: domain.EINVALID, wantField: "name",
			wantMessage: "Tell us your name, so the kitchen can call you."},
		{name: "name too long", given: given(opened), when: GiveContact{Name: long + "ñ"}, wantErr: domain.EINVALID, wantField: "name"},
		{name: "control characters in the name", given: given(opened), when: GiveContact{Name: "Ana\nRui"}, wantErr: domain.EINVALID, wantField: "name"},
		{name: "delivery needs a phone", given: given(opened, toHome), when: GiveContact{Name: "Ana"}, wantErr: domain.EINVALID, wantField: "phone"},
		{name: "letters in the phone", given: given(opened), when: GiveContact{Name: "Ana", Phone: "912 ABC"}, wantErr: domain.EINVALID, wantField: "phone"},
		{name: "a + inside the phone", given: given(opened), when: GiveContact{Name: "Ana", Phone: "91+2345678"}, wantErr: domain.EINVALID, wantField: "phone"},
		{name: "too few digits", given: given(opened), when: GiveContact{Name: "Ana", Phone: "12 34"}, wantErr: domain.EINVALID, wantField: "phone"},
		{name: "too many digits", given: given(opened), when: GiveContact{Name: "Ana", Phone: strings.Repeat("1", 21)}, wantErr: domain.EINVALID, wantField: "phone"},
		{name: "every field's message at once", given: given(opened, toHome), when: GiveContact{Name: "", Phone: ""},
			wantErr: domain.EINVALID, wantField: "name", wantFields: []string{"name", "phone"}},
		{name: "order never opened", when: GiveContact{Name: "Ana"}, wantErr: domain.ENOTFOUND},
		{name: "order placed", given: given(opened, pizza, pickup, anaName, placed), when: GiveContact{Name: "Rui"}, wantErr: domain.ECONFLICT},
	})
}

func TestGiveContactWithAnEmailForUpdates(t *testing.T) {
	withEmail := ContactGiven{OrderID: oid, SubjectID: "cust-1", Name: "Ana", Email: "ana@example.com"}
	runAll(t, []spec{
		{name: "an email is trimmed and lowercased", given: given(opened, pickup), when: GiveContact{Name: "Ana", Email: " Ana@Example.COM "},
			then: []domain.Event{withEmail}},
		{name: "the email is optional", given: given(opened, pickup), when: GiveContact{Name: "Ana", Email: "  "}, then: []domain.Event{anaName}},
		{name: "the same email again is a no-op", given: given(opened, withEmail), when: GiveContact{Name: "Ana", Email: "ana@example.com"}, then: nil},
		{name: "taking the email away is a change", given: given(opened, withEmail), when: GiveContact{Name: "Ana"}, then: []domain.Event{anaName}},
		{name: "no @", given: given(opened), when: GiveContact{Name: "Ana", Email: "ana.example.com"}, wantErr: domain.EINVALID, wantField: "email",
			wantMessage: "The email address needs exactly one @."},
		{name: "two @", given: given(opened), when: GiveContact{Name: "Ana", Email: "ana@home@example.com"}, wantErr: domain.EINVALID, wantField: "email"},
		{name: "no dotted domain", given: given(opened), when: GiveContact{Name: "Ana", Email: "ana@localhost"}, wantErr: domain.EINVALID, wantField: "email",
			wantMessage: "The email address needs a domain with a dot after the @, like example.com."},
		{name: "nothing before the @", given: given(opened), when: GiveContact{Name: "Ana", Email: "@example.com"}, wantErr: domain.EINVALID, wantField: "email"},
		{name: "spaces", given: given(opened), when: GiveContact{Name: "Ana", Email: "ana lima@example.com"}, wantErr: domain.EINVALID, wantField: "email"},
		{name: "too long", given: given(opened), when: GiveContact{Name: "Ana", Email: strings.Repeat("a", domain.MaxEmailLength) + "@example.com"},
			wantErr: domain.EINVALID, wantField: "email"},
		{name: "every field's message at once", given: given(opened, toHome), when: GiveContact{Email: "nope"},
			wantErr: domain.EINVALID, wantField: "name", wantFields: []string{"name", "phone", "email"}},
	})
	s := Evolve(Evolve(State{}, opened), withEmail)
	if s.Contact != (Contact{Name: "Ana", Email: "ana@example.com"}) {
		t.Errorf("the state's contact is %+v, want the email in it", s.Contact)
	}
}

// TestAContactStoredWithoutAnEmailReadsAsNone: a ContactGiven stored before
// contacts had an email reads as one without, and one without an email is
// written as before.
func TestAContactStoredWithoutAnEmailReadsAsNone(t *testing.T) {
	var e ContactGiven
	if err := json.Unmarshal([]byte(`{"order_id":"o1","subject_id":"c1","name":"Ana","phone":""}`), &e); err != nil {
		t.Fatal(err)
	}
	if e.Email != "" || e.Name != "Ana" {
		t.Errorf("read as %+v", e)
	}
	b, err := json.Marshal(ContactGiven{OrderID: "o1", SubjectID: "c1", Name: "Ana"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "email") {
		t.Errorf("a contact without an email is written with one: %s", b)
	}
	field, _ := reflect.TypeOf(e).FieldByName("Email")
	if field.Tag.Get("personal") != "true" {
		t.Error("the contact's email is not marked personal, so it would be stored in clear")
	}
}

func TestPlaceOrder(t *testing.T) {
	place := PlaceOrder{At: t1}
	runAll(t, []spec{
		{name: "places with the total", given: given(opened, pizza, beer, pickup, anaName), when: place, then: []domain.Event{placed}},
		{name: "total follows quantity changes and removals",
			given: given(opened, pizza, beer, ItemQuantityChanged{OrderID: oid, LineID: "l1", Quantity: 3}, ItemRemovedFromOrder{OrderID: oid, LineID: "l2"}, toHome, ana),
			when:  place,
			then:  []domain.Event{OrderPlaced{OrderID: oid, PlacedAt: t1, Total: domain.Cents(2850)}}},
		{name: "no lines", given: given(opened, pickup), when: place, wantErr: domain.EINVALID, wantField: ""},
		{name: "every line removed", given: given(opened, beer, ItemRemovedFromOrder{OrderID: oid, LineID: "l2"}, pickup), when: place, wantErr: domain.EINVALID, wantField: ""},
		{name: "no fulfilment", given: given(opened, pizza), when: place, wantErr: domain.EINVALID, wantField: ""},
		{name: "order never opened", when: place, wantErr: domain.ENOTFOUND},
		{name: "placed twice", given: given(opened, pizza, beer, pickup, placed), when: place, wantErr: domain.ECONFLICT},
		{name: "order canceled", given: given(opened, pizza, pickup, cancel), when: place, wantErr: domain.ECONFLICT},
		{name: "pickup without a name", given: given(opened, pizza, pickup), when: place, wantErr: domain.EINVALID, wantField: "name",
			wantMessage: "Tell us your name, so the kitchen can call you."},
		{name: "delivery with a name but no phone", given: given(opened, pizza, toHome, anaName), when: place, wantErr: domain.EINVALID, wantField: "phone",
			wantMessage: "phone number"},
		{name: "delivery without a contact", given: given(opened, pizza, toHome), when: place, wantErr: domain.EINVALID, wantField: "name",
			wantFields: []string{"name", "phone"}},
		{name: "a phone given for pickup is kept for delivery", given: given(opened, pizza, pickup, ana, toHome), when: place,
			then: []domain.Event{OrderPlaced{OrderID: oid, PlacedAt: t1, Total: domain.Cents(1900)}}},
		{name: "a dish sold out since", given: given(opened, pizza, beer, pickup, anaName),
			when: PlaceOrder{At: t1, Unavailable: map[string]string{"beer": "sold out"}}, wantErr: domain.ECONFLICT, wantMessage: "Lager (sold out)"},
		{name: "two dishes gone", given: given(opened, pizza, beer, pickup, anaName),
			when: PlaceOrder{At: t1, Unavailable: map[string]string{"beer": "sold out", "pizza": "no longer on the menu"}}, wantErr: domain.ECONFLICT,
			wantMessage: "Margherita (no longer on the menu), Lager (sold out)"},
		{name: "the restaurant is closed", given: given(opened, pizza, pickup, anaName),
			when: PlaceOrder{At: t1, Closed: "We are closed now; ordering opens on Tuesday at 12:00."}, wantErr: domain.ECONFLICT,
			wantMessage: "We are closed now; ordering opens on Tuesday at 12:00."},
		{name: "closed is told before what the order lacks", given: given(opened),
			when: PlaceOrder{At: t1, Closed: "We are not taking online orders right now; back at 19:45."}, wantErr: domain.ECONFLICT,
			wantMessage: "back at 19:45"},
		{name: "another dish sold out", given: given(opened, pizza, pickup, anaName),
			when: PlaceOrder{At: t1, Unavailable: map[string]string{"beer": "sold out"}}, then: []domain.Event{OrderPlaced{OrderID: oid, PlacedAt: t1, Total: domain.Cents(1900)}}},
	})
}

func TestCancelOrder(t *testing.T) {
	reason200 := strings.Repeat("ç", 200)
	runAll(t, []spec{
		{name: "cancels an open order", given: given(opened, pizza), when: CancelOrder{Reason: "Changed my mind.", At: t1}, then: []domain.Event{cancel}},
		{name: "cancels a placed order", given: given(opened, pizza, beer, pickup, placed), when: CancelOrder{Reason: "Changed my mind.", At: t1}, then: []domain.Event{cancel}},
		{name: "cancels an empty order", given: given(opened), when: CancelOrder{At: t1}, then: []domain.Event{OrderCanceled{OrderID: oid, CanceledAt: t1}}},
		{name: "trims the reason", given: given(opened), when: CancelOrder{Reason: "  Changed my mind.\n", At: t1}, then: []domain.Event{cancel}},
		{name: "reason of 200 runes", given: given(opened), when: CancelOrder{Reason: reason200, At: t1}, then: []domain.Event{OrderCanceled{OrderID: oid, Reason: reason200, CanceledAt: t1}}},
		{name: "reason of 201 runes", given: given(opened), when: CancelOrder{Reason: reason200 + "ç", At: t1}, wantErr: domain.EINVALID, wantField: "reason"},
		{name: "already canceled", given: given(opened, cancel), when: CancelOrder{At: t1}, wantErr: domain.ECONFLICT},
		{name: "order never opened", when: CancelOrder{At: t1}, wantErr: domain.ENOTFOUND},
		{name: "kitchen started", given: given(opened, pizza, pickup, placed, started), when: CancelOrder{At: t1}, wantErr: domain.ECONFLICT},
		{name: "kitchen started, not yet told", given: given(opened, pizza, pickup, placed), when: CancelOrder{At: t1, KitchenStarted: true}, wantErr: domain.ECONFLICT},
	})
}

func TestNoteKitchenStarted(t *testing.T) {
	runAll(t, []spec{
		{name: "a placed order", given: given(opened, pizza, pickup, placed), when: NoteKitchenStarted{At: t1}, then: []domain.Event{started}},
		{name: "noted twice", given: given(opened, pizza, pickup, placed, started), when: NoteKitchenStarted{At: t1}, then: nil},
		{name: "canceled meanwhile", given: given(opened, pizza, pickup, placed, cancel), when: NoteKitchenStarted{At: t1}, then: nil},
		{name: "never opened", when: NoteKitchenStarted{At: t1}, wantErr: domain.ENOTFOUND},
	})
}

func TestEvolve(t *testing.T) {
	if s := fold(); !reflect.DeepEqual(s, State{}) || s.Total() != domain.Cents(0) || s.ItemCount() != 0 {
		t.Fatalf("zero state: %#v", s)
	}
	s := fold(opened, pizza, beer, ItemQuantityChanged{OrderID: oid, LineID: "l2", Quantity: 3}, pickup, toHome, placed)
	want := State{
		OrderID:    oid,
		CustomerID: "cust-1",
		Status:     StatusPlaced,
		Lines: []Line{
			{LineID: "l1", MenuItemID: "pizza", Name: "Margherita", Quantity: 2, Note: "Extra basil.", UnitPrice: domain.Cents(950)},
			{LineID: "l2", MenuItemID: "beer", Name: "Lager", Quantity: 3, UnitPrice: domain.Cents(450)},
		},
		Fulfilment:      FulfilmentDelivery,
		DeliveryAddress: home,
		OpenedAt:        t0,
		PlacedAt:        t1,
	}
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("folded state\n got: %#v\nwant: %#v", s, want)
	}
	if got := s.Total(); got != domain.Cents(3250) {
		t.Errorf("Total = %v, want €32.50", got)
	}
	if got := s.ItemCount(); got != 5 {
		t.Errorf("ItemCount = %d, want 5", got)
	}
	if l, ok := s.Line("l2"); !ok || l.Total() != domain.Cents(1350) {
		t.Errorf("Line(l2) = %#v, %v", l, ok)
	}
	if _, ok := s.Line("nope"); ok {
		t.Errorf("Line(nope) found")
	}
	if s := fold(opened, toHome, pickup); s.Fulfilment != FulfilmentPickup || s.DeliveryAddress != (Address{}) {
		t.Errorf("pickup should clear the delivery address: %#v", s)
	}
	if s := fold(opened, pizza, cancel); s.Status != StatusCanceled || s.CanceledAt != t1 || s.CancelReason != "Changed my mind." {
		t.Errorf("canceled state: %#v", s)
	}
	if s := fold(opened, pizza, ItemRemovedFromOrder{OrderID: oid, LineID: "nope"}, ItemQuantityChanged{OrderID: oid, LineID: "nope", Quantity: 9}); !reflect.DeepEqual(s, fold(opened, pizza)) {
		t.Errorf("events for unknown lines changed state: %#v", s)
	}
	type unknown struct{ domain.Event }
	if s := fold(opened, pizza, unknown{}); !reflect.DeepEqual(s, fold(opened, pizza)) {
		t.Errorf("unknown event changed state: %#v", s)
	}
}

// TestAnAllergyStaysWithItsLine: the folded line keeps the flag, and its
// quantity and choices change without losing it.
func TestAnAllergyStaysWithItsLine(t *testing.T) {
	nuts := added(func(e *ItemAddedToOrder) { e.LineID, e.Note, e.Allergy = "l3", "no nuts", true })
	s := fold(opened, pizza, nuts, ItemQuantityChanged{OrderID: oid, LineID: "l3", Quantity: 4},
		ItemOptionsChanged{OrderID: oid, LineID: "l3", Options: []ChosenOption{chosenSmall}, UnitPrice: domain.Cents(850)})
	l, ok := s.Line("l3")
	if !ok || !l.Allergy || l.Note != "no nuts" || l.Quantity != 4 {
		t.Fatalf("the allergy line folded as %#v", l)
	}
	if l, _ := s.Line("l1"); l.Allergy {
		t.Errorf("the line without an allergy folded as one: %#v", l)
	}
}

// TestEvolveKeepsOldStates checks that evolving never writes into the Lines of
// an earlier state, so an order can be shown as it was at any revision.
func TestEvolveKeepsOldStates(t *testing.T) {
	a := fold(opened, pizza, beer, added(func(e *ItemAddedToOrder) { e.LineID = "l3" }))
	// Spare capacity is where an in-place append would hide.
	a.Lines = append(make([]Line, 0, 10), a.Lines...)
	snapshot := slices.Clone(a.Lines)

	removed := Evolve(a, ItemRemovedFromOrder{OrderID: oid, LineID: "l1"})
	changed := Evolve(a, ItemQuantityChanged{OrderID: oid, LineID: "l2", Quantity: 9})
	b := Evolve(a, added(func(e *ItemAddedToOrder) { e.LineID = "b" }))
	c := Evolve(a, added(func(e *ItemAddedToOrder) { e.LineID = "c" }))

	if !reflect.DeepEqual(a.Lines, snapshot) {
		t.Fatalf("state A changed\n got: %#v\nwant: %#v", a.Lines, snapshot)
	}
	if len(removed.Lines) != 2 || removed.Lines[0].LineID != "l2" {
		t.Errorf("removal: %#v", removed.Lines)
	}
	if l, _ := changed.Line("l2"); l.Quantity != 9 {
		t.Errorf("quantity change: %#v", changed.Lines)
	}
	if b.Lines[3].LineID != "b" || c.Lines[3].LineID != "c" {
		t.Errorf("two states evolved from A share lines: %q %q", b.Lines[3].LineID, c.Lines[3].LineID)
	}

	// Folding a history to each revision gives independent states.
	history := given(opened, pizza, beer, ItemQuantityChanged{OrderID: oid, LineID: "l1", Quantity: 4}, ItemRemovedFromOrder{OrderID: oid, LineID: "l2"})
	var revisions []State
	var s State
	for _, e := range history {
		s = Evolve(s, e)
		revisions = append(revisions, s)
	}
	for n := range history {
		if got := revisions[n]; !reflect.DeepEqual(got, fold(history[:n+1]...)) {
			t.Errorf("revision %d was changed by later events: %#v", n+1, got)
		}
	}
	if q := revisions[2].Lines[0].Quantity; q != 2 {
		t.Errorf("revision 3 quantity = %d, want 2", q)
	}
}

// candidates are plausible commands for a name in state s: if the name is
// allowed, at least one of them must be decided without error; if not, every
// one must be rejected.
func candidates(s State, name CommandName) []Command {
	ids := []string{"missing"}
	for _, l := range s.Lines {
		ids = append(ids, l.LineID)
	}
	var cs []Command
	switch name {
	case CmdAddItem:
		cs = append(cs, add(func(c *AddItem) { c.LineID = "fresh" }), add(func(c *AddItem) { c.LineID, c.Quantity = "fresh", 1 }))
	case CmdRemoveItem:
		for _, id := range ids {
			cs = append(cs, RemoveItem{LineID: id})
		}
	case CmdChangeQuantity:
		for _, id := range ids {
			for _, q := range []int{1, 2, 50} {
				cs = append(cs, ChangeQuantity{LineID: id, Quantity: q})
			}
		}
	case CmdChangeOptions:
		for _, id := range ids {
			cs = append(cs, ChangeItemOptions{LineID: id, Options: sizes, Picks: Picks{"size": {"small"}}})
		}
	case CmdChoosePickup:
		cs = append(cs, ChoosePickup{})
	case CmdGiveDeliveryAddress:
		cs = append(cs, GiveDeliveryAddress{Address: home}, address(func(a *Address) { a.Street = "Elm Street 2" }))
	case CmdGiveContact:
		cs = append(cs, GiveContact{Name: "Ana", Phone: "+351 912 345 678"}, GiveContact{Name: "Rui", Phone: "912 345 678"})
	case CmdPlace:
		cs = append(cs, PlaceOrder{At: t1}, PlaceOrder{At: t1, Window: Window{Now: t1}})
	case CmdCancel:
		cs = append(cs, CancelOrder{At: t1}, CancelOrder{Reason: "Too slow.", At: t1})
	case CmdSchedule:
		cs = append(cs, ScheduleFor{For: t0.Add(time.Hour), Window: Window{Now: t0}}, ScheduleFor{For: t0.Add(2 * time.Hour), Window: Window{Now: t0}})
	case CmdClearSchedule:
		cs = append(cs, ClearSchedule{})
	}
	return cs
}

func TestAllowed(t *testing.T) {
	all := []CommandName{CmdAddItem, CmdRemoveItem, CmdChangeQuantity, CmdChangeOptions, CmdChoosePickup, CmdGiveDeliveryAddress, CmdGiveContact, CmdPlace, CmdCancel,
		CmdSchedule, CmdClearSchedule}
	editing := func(extra ...CommandName) []CommandName {
		return slices.Concat([]CommandName{CmdChoosePickup, CmdGiveDeliveryAddress, CmdGiveContact, CmdSchedule, CmdClearSchedule}, extra, []CommandName{CmdCancel})
	}
	for _, tc := range []struct {
		name  string
		given []domain.Event
		want  []CommandName
	}{
		{name: "never opened", want: nil},
		{name: "open and empty", given: given(opened), want: editing(CmdAddItem)},
		{name: "empty with pickup", given: given(opened, pickup), want: editing(CmdAddItem)},
		{name: "lines without fulfilment", given: given(opened, pizza), want: editing(CmdAddItem, CmdRemoveItem, CmdChangeQuantity, CmdChangeOptions)},
		{name: "lines with pickup, no contact", given: given(opened, pizza, beer, pickup), want: editing(CmdAddItem, CmdRemoveItem, CmdChangeQuantity, CmdChangeOptions)},
		{name: "lines with pickup and a name", given: given(opened, pizza, beer, pickup, anaName), want: editing(CmdAddItem, CmdRemoveItem, CmdChangeQuantity, CmdChangeOptions, CmdPlace)},
		{name: "lines with delivery and a name only", given: given(opened, pizza, toHome, anaName), want: editing(CmdAddItem, CmdRemoveItem, CmdChangeQuantity, CmdChangeOptions)},
		{name: "lines with delivery and a phone", given: given(opened, pizza, toHome, ana), want: editing(CmdAddItem, CmdRemoveItem, CmdChangeQuantity, CmdChangeOptions, CmdPlace)},
		{name: "every line removed", given: given(opened, pizza, pickup, ItemRemovedFromOrder{OrderID: oid, LineID: "l1"}), want: editing(CmdAddItem)},
		{name: "full order", given: given(opened, lines(50), pickup, ana), want: editing(CmdRemoveItem, CmdChangeQuantity, CmdChangeOptions, CmdPlace)},
		{name: "for later", given: given(opened, pizza, pickup, anaName, forLater), want: editing(CmdAddItem, CmdRemoveItem, CmdChangeQuantity, CmdChangeOptions, CmdPlace)},
		{name: "as soon as possible again", given: given(opened, pizza, forLater, OrderScheduleCleared{OrderID: oid}), want: editing(CmdAddItem, CmdRemoveItem, CmdChangeQuantity, CmdChangeOptions)},
		{name: "placed", given: given(opened, pizza, pickup, placed), want: []CommandName{CmdCancel}},
		{name: "placed for later", given: given(opened, pizza, pickup, anaName, forLater, placed), want: []CommandName{CmdCancel}},
		{name: "started in the kitchen", given: given(opened, pizza, pickup, placed, started), want: nil},
		{name: "canceled while open", given: given(opened, pizza, cancel), want: nil},
		{name: "canceled after placing", given: given(opened, pizza, pickup, placed, cancel), want: nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := fold(tc.given...)
			got := Allowed(s)
			if len(got) != len(tc.want) || (len(got) > 0 && !slices.Equal(sorted(got), sorted(tc.want))) {
				t.Errorf("Allowed = %v, want %v", got, tc.want)
			}
			for _, name := range all {
				allowed := slices.Contains(got, name)
				var accepted []Command
				var errs []error
				for _, c := range candidates(s, name) {
					if _, err := Decide(s, c); err == nil {
						accepted = append(accepted, c)
					} else {
						errs = append(errs, err)
					}
				}
				if allowed && len(accepted) == 0 {
					t.Errorf("%s is allowed but Decide rejects every candidate: %v", name, errs)
				}
				if !allowed && len(accepted) > 0 {
					t.Errorf("%s is not allowed but Decide accepts %#v", name, accepted)
				}
			}
		})
	}
}

func sorted(names []CommandName) []CommandName {
	out := slices.Clone(names)
	slices.Sort(out)
	return out
}

func TestEvents(t *testing.T) {
	tag := regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	var checkTags func(rt reflect.Type)
	checkTags = func(rt reflect.Type) {
		for i := range rt.NumField() {
			f := rt.Field(i)
			j, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !tag.MatchString(j) || opts != "" && opts != "omitempty" && opts != "omitzero" {
				t.Errorf("%s.%s has json tag %q, want snake_case", rt.Name(), f.Name, f.Tag.Get("json"))
			}
			if f.Type.Kind() == reflect.Struct && f.Type.PkgPath() != "time" {
				checkTags(f.Type)
			}
		}
	}
	seen := map[string]bool{}
	for _, e := range Events() {
		name := e.EventType()
		if !strings.HasPrefix(name, "ordering.") || seen[name] {
			t.Errorf("event type %q should be unique and start with ordering.", name)
		}
		seen[name] = true
		rt := reflect.TypeOf(e)
		if rt.Kind() != reflect.Struct {
			t.Fatalf("%s should be a struct value", name)
		}
		if name != "ordering."+rt.Name() {
			t.Errorf("event type %q does not match type %s", name, rt.Name())
		}
		checkTags(rt)
	}
	checkTags(reflect.TypeFor[Line]())
	checkTags(reflect.TypeFor[ChosenOption]())
	if len(seen) != 13 {
		t.Errorf("want 13 event types, got %d", len(seen))
	}
	// A line without an allergy is stored as lines were before the flag; a
	// line stored so reads as no allergy.
	if b, _ := json.Marshal(pizza); strings.Contains(string(b), "allergy") {
		t.Errorf("a line without an allergy is stored as %s", b)
	}
	var old ItemAddedToOrder
	if err := json.Unmarshal([]byte(`{"order_id":"o","line_id":"l","note":"no basil"}`), &old); err != nil || old.Allergy {
		t.Errorf("a line stored before the flag reads as %#v (%v)", old, err)
	}
	nuts := added(func(e *ItemAddedToOrder) { e.Note, e.Allergy = "no nuts", true })
	// Every event survives a JSON round trip.
	for _, e := range []domain.Event{opened, pizza, nuts, ItemRemovedFromOrder{OrderID: oid, LineID: "l1"}, ItemQuantityChanged{OrderID: oid, LineID: "l1", Quantity: 3}, pickup, toHome, ana, placed, cancel, started,
		bigPizza, ItemOptionsChanged{OrderID: oid, LineID: "l1", Options: []ChosenOption{chosenSmall}, UnitPrice: domain.Cents(850)},
		forLater, OrderScheduleCleared{OrderID: oid}, OrderPlaced{OrderID: oid, PlacedAt: t1, Total: domain.Cents(950), ScheduledFor: forLater.For}} {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		p := reflect.New(reflect.TypeOf(e))
		if err := json.Unmarshal(b, p.Interface()); err != nil {
			t.Fatal(err)
		}
		if got := p.Elem().Interface(); !reflect.DeepEqual(got, e) {
			t.Errorf("round trip of %s\n got: %#v\nwant: %#v", b, got, e)
		}
	}
}
