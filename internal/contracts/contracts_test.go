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
