package customers

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"restaurant/domain"
)

func TestEvents(t *testing.T) {
	tag := regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	seen := map[string]bool{}
	for _, e := range Events() {
		name := e.EventType()
		if !strings.HasPrefix(name, "customers.") || seen[name] {
			t.Errorf("event type %q should be unique and start with customers.", name)
		}
		seen[name] = true
		rt := reflect.TypeOf(e)
		if rt.Kind() != reflect.Struct {
			t.Fatalf("%s should be a struct value", name)
		}
		if name != "customers."+rt.Name() {
			t.Errorf("event type %q does not match type %s", name, rt.Name())
		}
		for i := range rt.NumField() {
			f := rt.Field(i)
			if j := f.Tag.Get("json"); !tag.MatchString(j) {
				t.Errorf("%s.%s has json tag %q, want snake_case", rt.Name(), f.Name, j)
			}
		}
	}
	if len(seen) != 12 {
		t.Errorf("want 12 event types, got %d", len(seen))
	}
	// Every event survives a JSON round trip, and none holds a password.
	for _, e := range []domain.Event{signedUp, CustomerDetailsChanged{CustomerID: cid, Name: "Ana", Phone: "+3112345678"}, home, office,
		AddressChanged{CustomerID: cid, AddressID: "a1", Nickname: "Home", Street: "Main Street 2", PostalCode: "1011 AB", City: "Amsterdam", Instructions: "Ring once.\nThird floor."},
		AddressRemoved{CustomerID: cid, AddressID: "a1"}, homeFirst, adopted, erased, EmailReserved{CustomerID: cid}, EmailReleased{CustomerID: cid}, laptop, laptopRemoved} {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(strings.ToLower(string(b)), "password") {
			t.Errorf("%s holds a password field: %s", e.EventType(), b)
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
