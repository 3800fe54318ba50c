package ordering

import (
	"strings"
	"testing"

	"restaurant/domain"
)

func TestCapsBoundWhatOneOrderHolds(t *testing.T) {
	// A dish of €9.50 each; the default caps are 50 dishes and €500.
	dishes := func(lineID string, n int) ItemAddedToOrder {
		return added(func(e *ItemAddedToOrder) { e.LineID, e.Quantity, e.Note = lineID, n, "" })
	}
	addN := func(n int, caps Caps) AddItem {
		return add(func(c *AddItem) { c.LineID, c.Quantity, c.Note, c.Caps = "new", n, "", caps })
	}
	to := func(q int, caps Caps) ChangeQuantity { return ChangeQuantity{LineID: "a", Quantity: q, Caps: caps} }
	ten := Caps{MaxDishes: 10, MaxTotal: domain.Cents(100_000)}
	cheap := Caps{MaxDishes: 1_000, MaxTotal: domain.Cents(5_000)} // €50
	runAll(t, []spec{
		{name: "up to 50 dishes by default", given: given(opened, dishes("a", 45)), when: addN(5, Caps{}),
			then: []domain.Event{dishes("new", 5)}},
		{name: "the 51st dish is refused", given: given(opened, dishes("a", 45)), when: addN(6, Caps{}),
			wantErr: domain.EINVALID, wantField: "quantity"},
		{name: "a new line past the dishes cap", given: given(opened, dishes("a", 9)), when: addN(2, ten),
			wantErr: domain.EINVALID, wantField: "quantity"},
		{name: "a quantity past the dishes cap", given: given(opened, dishes("a", 9)), when: to(11, ten),
			wantErr: domain.EINVALID, wantField: "quantity"},
		{name: "a quantity up to the dishes cap", given: given(opened, dishes("a", 9)), when: to(10, ten),
			then: []domain.Event{ItemQuantityChanged{OrderID: oid, LineID: "a", Quantity: 10}}},
		{name: "a dish past the value cap", given: given(opened, dishes("a", 5)), when: addN(1, cheap),
			wantErr: domain.EINVALID, wantField: "quantity"},
		{name: "up to the value cap", given: given(opened, dishes("a", 4)), when: addN(1, cheap),
			then: []domain.Event{dishes("new", 1)}},
		{name: "€500 by default", given: given(opened, dishes("a", 45), dishes("b", 4)), when: to(49, Caps{MaxDishes: 1_000}),
			wantErr: domain.EINVALID, wantField: "quantity"},
		{name: "an order over the caps may still shrink", given: given(opened, dishes("a", 30)), when: to(20, ten),
			then: []domain.Event{ItemQuantityChanged{OrderID: oid, LineID: "a", Quantity: 20}}},
	})
}

func TestCapsSayWhatTheLimitIs(t *testing.T) {
	cases := []struct {
		name string
		caps Caps
		qty  int
		want string
	}{
		{"dishes", Caps{MaxDishes: 50}, 51, "An order may hold at most 50 dishes; call us for larger orders."},
		{"value", Caps{MaxDishes: 100, MaxTotal: domain.Cents(50_000)}, 53, "An order may come to at most €500.00; call us for larger orders."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decide(fold(opened), add(func(c *AddItem) { c.Quantity, c.Caps = tc.qty, tc.caps }))
			if err == nil || !strings.HasSuffix(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}
