package projections_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"restaurant/domain/customers"
	"restaurant/internal/contracts"
	"restaurant/internal/eventstore"
	"restaurant/internal/testdb"
	"restaurant/projections"
)

// TestCustomersReadModel: the address book as the customer's stream makes
// it, rebuilt the same, and nothing left of an erased customer.
func TestCustomersReadModel(t *testing.T) {
	pool := testdb.New(t)
	store := eventstore.Open(pool, contracts.Codec())
	t.Cleanup(store.Close)
	r, _ := run(t, store)
	ctx := context.Background()
	id := uuid.NewString()
	do := func(cmd customers.Command) {
		t.Helper()
		if _, err := eventstore.Handle(ctx, store, customers.Stream(id), customers.Decider, eventstore.Metadata{CommandID: uuid.New(), Actor: "customer:" + id}, cmd); err != nil {
			t.Fatal(err)
		}
	}
	do(customers.SignUp{CustomerID: id, Name: "Ana", Email: "Ana@Example.com", Phone: "06 1234 5678", At: time.Now()})
	do(customers.AddAddress{AddressID: "a1", Nickname: "Home", Street: "Main St 1", PostalCode: "1011", City: "Amsterdam"})
	do(customers.AddAddress{AddressID: "a2", Nickname: "Office", Street: "Dam 2", PostalCode: "1012", City: "Amsterdam", Instructions: "3rd floor"})
	do(customers.ChangeAddress{AddressID: "a1", Nickname: "Home", Street: "Main St 3", PostalCode: "1011", City: "Amsterdam"})
	do(customers.ChooseDefaultAddress{AddressID: "a2"})
	do(customers.AdoptGuestOrder{OrderID: "o1", GuestID: "guest-1", At: time.Now()})
	caughtUp(t, store, r)

	read := projections.Customers{Pool: pool}
	want := projections.Customer{ID: id, Name: "Ana", Email: "ana@example.com", Phone: "0612345678", Addresses: []projections.Address{
		{ID: "a1", Nickname: "Home", Street: "Main St 3", PostalCode: "1011", City: "Amsterdam"},
		{ID: "a2", Nickname: "Office", Street: "Dam 2", PostalCode: "1012", City: "Amsterdam", Instructions: "3rd floor", Default: true},
	}}
	got, ok, err := read.Get(ctx, id)
	if err != nil || !ok || !reflect.DeepEqual(got, want) {
		t.Fatalf("customer:\n got %+v %v %v\nwant %+v", got, ok, err, want)
	}
	if adopted, err := read.Adopted(ctx, id, "o1"); err != nil || !adopted {
		t.Fatalf("adopted: %v %v", adopted, err)
	}
	if _, err := projections.RebuildAll(ctx, store, []projections.Projection{projections.CustomersProjection{}}, nil); err != nil {
		t.Fatal(err)
	}
	if again, _, err := read.Get(ctx, id); err != nil || !reflect.DeepEqual(again, want) {
		t.Fatalf("rebuilt: %+v %v", again, err)
	}

	do(customers.Erase{At: time.Now()})
	caughtUp(t, store, r)
	if _, ok, err := read.Get(ctx, id); err != nil || ok {
		t.Fatalf("an erased customer is still read: %v %v", ok, err)
	}
	if adopted, _ := read.Adopted(ctx, id, "o1"); adopted {
		t.Fatal("an erased customer's adoptions are still read")
	}
}
