package contracts_test

import (
	"reflect"
	"testing"

	"restaurant/domain"
	"restaurant/domain/ordering"
	"restaurant/internal/contracts"
)

// TestAnItemAddedBeforeOptionsReadsAsOneWithout: a version 1 line, stored
// before dishes had options, reads as version 2 with no options and the
// price it had; a version 2 line reads as it was written.
func TestAnItemAddedBeforeOptionsReadsAsOneWithout(t *testing.T) {
	c := contracts.Codec()
	const name = "ordering.ItemAddedToOrder"
	if v := c.Version(name); v != 2 {
		t.Fatalf("%s is at version %d, want 2", name, v)
	}
	v1 := `{"order_id":"o","line_id":"l","menu_item_id":"margherita","name":"Margherita","quantity":2,"note":"no basil","unit_price":{"amount":1100,"currency":"EUR"}}`
	e, upgraded, err := c.Decode(name, 1, []byte(v1))
	if err != nil {
		t.Fatal(err)
	}
	want := ordering.ItemAddedToOrder{OrderID: "o", LineID: "l", MenuItemID: "margherita", Name: "Margherita", Quantity: 2, Note: "no basil",
		UnitPrice: domain.Cents(1100), Options: []ordering.ChosenOption{}}
	if !reflect.DeepEqual(e, want) {
		t.Fatalf("version 1 read as\n %#v, want\n %#v (from %s)", e, want, upgraded)
	}
	large := ordering.ItemAddedToOrder{OrderID: "o", LineID: "l", MenuItemID: "margherita", Name: "Margherita", Quantity: 1, UnitPrice: domain.Cents(1400),
		Options: []ordering.ChosenOption{{GroupID: "size", GroupName: "Size", ChoiceID: "large", ChoiceName: "Large", PriceChange: domain.Cents(300)}}}
	typ, version, data, err := c.Encode(large)
	if err != nil || typ != name || version != 2 {
		t.Fatalf("written as %s version %d (%v)", typ, version, err)
	}
	if back, _, err := c.Decode(typ, version, data); err != nil || !reflect.DeepEqual(back, large) {
		t.Fatalf("version 2 read back as %#v (%v)", back, err)
	}
	if _, _, err := c.Decode(name, 1, []byte(`[1]`)); err == nil {
		t.Fatal("a version 1 line that is not an object was read")
	}
}

// TestAnAllergyIsAnOptionalFieldOfVersion2: the flag came without a new
// schema version. A version 2 line stored before it reads as no allergy and
// is written again byte for byte; a flagged line reads back flagged.
func TestAnAllergyIsAnOptionalFieldOfVersion2(t *testing.T) {
	c := contracts.Codec()
	const name = "ordering.ItemAddedToOrder"
	before := `{"order_id":"o","line_id":"l","menu_item_id":"tiramisu","name":"Tiramisù","quantity":1,"note":"two spoons","unit_price":{"amount":750,"currency":"EUR"},"options":[]}`
	e, _, err := c.Decode(name, 2, []byte(before))
	if err != nil {
		t.Fatal(err)
	}
	if line := e.(ordering.ItemAddedToOrder); line.Allergy || line.Note != "two spoons" {
		t.Fatalf("a line stored before the flag reads as %#v", line)
	}
	if _, version, data, err := c.Encode(e); err != nil || version != 2 || string(data) != before {
		t.Fatalf("a line without an allergy is written as version %d %s (%v), not as before", version, data, err)
	}
	nuts := ordering.ItemAddedToOrder{OrderID: "o", LineID: "l", MenuItemID: "tiramisu", Name: "Tiramisù", Quantity: 1, Note: "no nuts", Allergy: true,
		UnitPrice: domain.Cents(750), Options: []ordering.ChosenOption{}}
	_, version, data, err := c.Encode(nuts)
	if err != nil || version != 2 {
		t.Fatalf("a flagged line is written as version %d (%v)", version, err)
	}
	if back, _, err := c.Decode(name, version, data); err != nil || !reflect.DeepEqual(back, nuts) {
		t.Fatalf("a flagged line written as %s reads back as %#v (%v)", data, back, err)
	}
	// A version 1 line, from before options, was never flagged either.
	if e, _, err := c.Decode(name, 1, []byte(`{"order_id":"o","line_id":"l","note":"no basil","unit_price":{"amount":1100,"currency":"EUR"}}`)); err != nil || e.(ordering.ItemAddedToOrder).Allergy {
		t.Fatalf("a version 1 line reads as %#v (%v)", e, err)
	}
}
