package customers

import (
	"fmt"
	"reflect"
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
}

func fold(es ...domain.Event) State {
	var s State
	for _, e := range es {
		s = Evolve(s, e)
	}
	return s
}

// checkRefusal checks that err is a *domain.Error of code (on field, for
// invalid input) whose message is a full sentence holding message, and that
// no events came with it.
func checkRefusal(t *testing.T, got []domain.Event, err error, code, field, message string) {
	t.Helper()
	decidertest.Check(t, got, err, decidertest.Want{Code: code, Field: field, Message: message})
}

// run checks one spec and prints both sides when they differ.
func run(t *testing.T, tc spec) {
	t.Helper()
	got, err := Decide(fold(tc.given...), tc.when)
	decidertest.Check(t, got, err, decidertest.Want{Then: tc.then, Code: tc.wantErr, Field: tc.wantField, Message: tc.wantMessage})
}

func runAll(t *testing.T, specs []spec) {
	t.Helper()
	for _, tc := range specs {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

const cid = "cust-1"

var (
	t0 = time.Date(2026, 3, 14, 18, 30, 0, 0, time.UTC)
	t1 = t0.Add(20 * time.Minute)

	signUp   = SignUp{CustomerID: cid, Name: "  Ana Souza ", Email: " Ana.Souza@Example.COM ", Phone: "+31 (20) 123-4567", At: t0}
	signedUp = CustomerSignedUp{CustomerID: cid, Name: "Ana Souza", Email: "ana.souza@example.com", Phone: "+31201234567", SignedUpAt: t0}
	erased   = CustomerErased{CustomerID: cid, ErasedAt: t1}

	addHome   = AddAddress{AddressID: "a1", Nickname: " Home ", Street: " Main Street 1 ", PostalCode: " 1011 AB ", City: " Amsterdam ", Instructions: " Ring twice. "}
	home      = AddressAdded{CustomerID: cid, AddressID: "a1", Nickname: "Home", Street: "Main Street 1", PostalCode: "1011 AB", City: "Amsterdam", Instructions: "Ring twice."}
	homeFirst = DefaultAddressChosen{CustomerID: cid, AddressID: "a1"}
	office    = AddressAdded{CustomerID: cid, AddressID: "a2", Nickname: "Office", Street: "Dam 2", PostalCode: "1012 JS", City: "Amsterdam"}
	mum       = AddressAdded{CustomerID: cid, AddressID: "a3", Nickname: "Mum's", Street: "Canal 3", PostalCode: "3511 AA", City: "Utrecht"}
	officeDef = DefaultAddressChosen{CustomerID: cid, AddressID: "a2"}
	mumDef    = DefaultAddressChosen{CustomerID: cid, AddressID: "a3"}

	adopted = GuestOrderAdopted{CustomerID: cid, OrderID: "order-9", GuestID: "guest-9", AdoptedAt: t1}
)

func sign(f func(*SignUp)) SignUp {
	c := signUp
	f(&c)
	return c
}

func addAddress(f func(*AddAddress)) AddAddress {
	c := addHome
	f(&c)
	return c
}

func changeAddress(f func(*ChangeAddress)) ChangeAddress {
	c := ChangeAddress(addHome)
	f(&c)
	return c
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

// book returns n distinct addresses, the first one the default.
func book(n int) []domain.Event {
	var es []domain.Event
	for i := range n {
		es = append(es, AddressAdded{CustomerID: cid, AddressID: fmt.Sprintf("b%d", i), Nickname: fmt.Sprintf("Place %d", i), Street: "Street 1", PostalCode: "1000", City: "Town"})
		if i == 0 {
			es = append(es, DefaultAddressChosen{CustomerID: cid, AddressID: "b0"})
		}
	}
	return es
}

func TestStreams(t *testing.T) {
	if got := Stream("c1"); got != "customer-c1" || !strings.HasPrefix(got, StreamPrefix) {
		t.Errorf("Stream = %q", got)
	}
	if got := EmailStream("k1"); got != "customer-email-k1" || !strings.HasPrefix(got, EmailStreamPrefix) {
		t.Errorf("EmailStream = %q", got)
	}
}

func TestSignUp(t *testing.T) {
	long := strings.Repeat("é", MaxNameLength)
	runAll(t, []spec{
		{name: "normalises name, email and phone", when: signUp, then: given(signedUp)},
		{name: "a name of the longest length", when: sign(func(c *SignUp) { c.Name = long }),
			then: given(CustomerSignedUp{CustomerID: cid, Name: long, Email: signedUp.Email, Phone: signedUp.Phone, SignedUpAt: t0})},
		{name: "a phone without a country code", when: sign(func(c *SignUp) { c.Phone = "020-123 45 67" }),
			then: given(CustomerSignedUp{CustomerID: cid, Name: "Ana Souza", Email: signedUp.Email, Phone: "0201234567", SignedUpAt: t0})},
		{name: "twice", given: given(signedUp), when: signUp, wantErr: domain.ECONFLICT, wantMessage: "already signed up"},
		{name: "after erasure", given: given(signedUp, erased), when: signUp, wantErr: domain.ECONFLICT, wantMessage: "This account was erased."},
		{name: "no customer id", when: sign(func(c *SignUp) { c.CustomerID = " " }), wantErr: domain.EINVALID, wantField: "customer_id"},
		{name: "a customer id that is an email stream", when: sign(func(c *SignUp) { c.CustomerID = "email-abc" }), wantErr: domain.EINVALID, wantField: "customer_id", wantMessage: "email-"},
		{name: "no name", when: sign(func(c *SignUp) { c.Name = " \t " }), wantErr: domain.EINVALID, wantField: "name", wantMessage: "name"},
		{name: "a name too long", when: sign(func(c *SignUp) { c.Name = long + "e" }), wantErr: domain.EINVALID, wantField: "name", wantMessage: "80"},
		{name: "a name with a line break", when: sign(func(c *SignUp) { c.Name = "Ana\nSouza" }), wantErr: domain.EINVALID, wantField: "name"},
		{name: "a name of broken bytes", when: sign(func(c *SignUp) { c.Name = "Ana \xff" }), wantErr: domain.EINVALID, wantField: "name"},
		{name: "no email", when: sign(func(c *SignUp) { c.Email = "  " }), wantErr: domain.EINVALID, wantField: "email", wantMessage: "email"},
		{name: "an email without @", when: sign(func(c *SignUp) { c.Email = "ana.example.com" }), wantErr: domain.EINVALID, wantField: "email", wantMessage: "@"},
		{name: "an email with two @", when: sign(func(c *SignUp) { c.Email = "ana@home@example.com" }), wantErr: domain.EINVALID, wantField: "email", wantMessage: "@"},
		{name: "an email without a name", when: sign(func(c *SignUp) { c.Email = "@example.com" }), wantErr: domain.EINVALID, wantField: "email"},
		{name: "an email without a dot in the domain", when: sign(func(c *SignUp) { c.Email = "ana@localhost" }), wantErr: domain.EINVALID, wantField: "email", wantMessage: "dot"},
		{name: "an email whose domain ends in a dot", when: sign(func(c *SignUp) { c.Email = "ana@example." }), wantErr: domain.EINVALID, wantField: "email"},
		{name: "an email with an empty domain label", when: sign(func(c *SignUp) { c.Email = "ana@example..com" }), wantErr: domain.EINVALID, wantField: "email"},
		{name: "an email with a space", when: sign(func(c *SignUp) { c.Email = "ana souza@example.com" }), wantErr: domain.EINVALID, wantField: "email", wantMessage: "spaces"},
		{name: "an email with a tab", when: sign(func(c *SignUp) { c.Email = "ana\tsouza@example.com" }), wantErr: domain.EINVALID, wantField: "email"},
		{name: "an email of broken bytes", when: sign(func(c *SignUp) { c.Email = "ana\xff@example.com" }), wantErr: domain.EINVALID, wantField: "email"},
		{name: "an email too long", when: sign(func(c *SignUp) { c.Email = strings.Repeat("a", 243) + "@example.com" }), wantErr: domain.EINVALID, wantField: "email", wantMessage: "254"},
		{name: "no phone", when: sign(func(c *SignUp) { c.Phone = "" }), wantErr: domain.EINVALID, wantField: "phone", wantMessage: "phone"},
		{name: "a phone with letters", when: sign(func(c *SignUp) { c.Phone = "020 CALL ANA" }), wantErr: domain.EINVALID, wantField: "phone", wantMessage: "digits"},
		{name: "a phone with a + inside", when: sign(func(c *SignUp) { c.Phone = "020+1234567" }), wantErr: domain.EINVALID, wantField: "phone", wantMessage: "+"},
		{name: "a phone too short", when: sign(func(c *SignUp) { c.Phone = "+1 234" }), wantErr: domain.EINVALID, wantField: "phone", wantMessage: "6 to 20"},
		{name: "a phone too long", when: sign(func(c *SignUp) { c.Phone = strings.Repeat("1", 21) }), wantErr: domain.EINVALID, wantField: "phone", wantMessage: "6 to 20"},
	})
}

func TestNormalizeEmailAndPhone(t *testing.T) {
	for in, want := range map[string]string{
		"Ana@Example.com":                            "ana@example.com",
		"\tana+pizza@mail.example.co.uk \n":          "ana+pizza@mail.example.co.uk",
		strings.Repeat("a", 242) + "@example.com":    strings.Repeat("a", 242) + "@example.com", // 254 bytes
		"JOÃO@EXAMPLE.PT":                            "joão@example.pt",
		"first.last@sub-domain.example-mail.example": "first.last@sub-domain.example-mail.example",
	} {
		if got, err := NormalizeEmail(in); err != nil || got != want {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, want := range map[string]string{
		"123456":                      "123456",
		" +31 (0)20 123-45-67 ":       "+310201234567",
		strings.Repeat("9", 20):       strings.Repeat("9", 20),
		"+" + strings.Repeat("9", 20): "+" + strings.Repeat("9", 20),
	} {
		if got, err := NormalizePhone(in); err != nil || got != want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"+", "+ 12345", "12345", "12 34 5", "١٢٣٤٥٦٧"} {
		if got, err := NormalizePhone(in); err == nil {
			t.Errorf("NormalizePhone(%q) = %q, want a refusal", in, got)
		}
	}
}

func TestCommandsBeforeSignUp(t *testing.T) {
	var specs []spec
	for _, c := range []Command{ChangeDetails{Name: "Ana", Phone: "123456"}, addHome, ChangeAddress(addHome), RemoveAddress{AddressID: "a1"},
		ChooseDefaultAddress{AddressID: "a1"}, AdoptGuestOrder{OrderID: "o", GuestID: "g", At: t0}, addLaptop, RemovePasskey{PasskeyID: "p1", At: t0}, Erase{At: t0}} {
		specs = append(specs, spec{name: fmt.Sprintf("%T", c), when: c, wantErr: domain.ENOTFOUND, wantMessage: "no such customer"})
	}
	runAll(t, specs)
}

func TestCommandsAfterErasure(t *testing.T) {
	history := given(signedUp, home, homeFirst, adopted, laptop, erased)
	var specs []spec
	for _, c := range []Command{signUp, ChangeDetails{Name: "Ana", Phone: "123456"}, addAddress(func(c *AddAddress) { c.AddressID = "new" }), ChangeAddress(addHome),
		RemoveAddress{AddressID: "a1"}, ChooseDefaultAddress{AddressID: "a1"}, AdoptGuestOrder{OrderID: "o", GuestID: "g", At: t1},
		AddPasskey{PasskeyID: "p2", At: t1}, RemovePasskey{PasskeyID: "p1", At: t1}, Erase{At: t1}} {
		specs = append(specs, spec{name: fmt.Sprintf("%T", c), given: history, when: c, wantErr: domain.ECONFLICT, wantMessage: "This account was erased."})
	}
	runAll(t, specs)
}

func TestChangeDetails(t *testing.T) {
	runAll(t, []spec{
		{name: "new name and phone", given: given(signedUp), when: ChangeDetails{Name: " Ana Maria Souza ", Phone: "06 1234 5678"},
			then: given(CustomerDetailsChanged{CustomerID: cid, Name: "Ana Maria Souza", Phone: "0612345678"})},
		{name: "only the phone, written another way", given: given(signedUp), when: ChangeDetails{Name: "Ana Souza", Phone: "+31 20 1234 568"},
			then: given(CustomerDetailsChanged{CustomerID: cid, Name: "Ana Souza", Phone: "+31201234568"})},
		{name: "the same details, written another way", given: given(signedUp), when: ChangeDetails{Name: "Ana Souza ", Phone: "+31-20-123-4567"}},
		{name: "the same details after a change", given: given(signedUp, CustomerDetailsChanged{CustomerID: cid, Name: "Ana", Phone: "123456"}), when: ChangeDetails{Name: "Ana", Phone: "123 456"}},
		{name: "no name", given: given(signedUp), when: ChangeDetails{Phone: "123456"}, wantErr: domain.EINVALID, wantField: "name"},
		{name: "a name too long", given: given(signedUp), when: ChangeDetails{Name: strings.Repeat("x", MaxNameLength+1), Phone: "123456"}, wantErr: domain.EINVALID, wantField: "name"},
		{name: "no phone", given: given(signedUp), when: ChangeDetails{Name: "Ana"}, wantErr: domain.EINVALID, wantField: "phone"},
		{name: "a bad phone", given: given(signedUp), when: ChangeDetails{Name: "Ana", Phone: "12#456"}, wantErr: domain.EINVALID, wantField: "phone"},
	})
}

func TestAddAddress(t *testing.T) {
	runAll(t, []spec{
		{name: "the first address becomes the default", given: given(signedUp), when: addHome, then: given(home, homeFirst)},
		{name: "a second address does not", given: given(signedUp, home, homeFirst),
			when: AddAddress{AddressID: "a2", Nickname: "Office", Street: "Dam 2", PostalCode: "1012 JS", City: "Amsterdam"}, then: given(office)},
		{name: "an address after the book was emptied becomes the default", given: given(signedUp, home, homeFirst, AddressRemoved{CustomerID: cid, AddressID: "a1"}),
			when: AddAddress{AddressID: "a2", Nickname: "Office", Street: "Dam 2", PostalCode: "1012 JS", City: "Amsterdam"}, then: given(office, officeDef)},
		{name: "the same address again is a retry", given: given(signedUp, home, homeFirst), when: addHome},
		{name: "another address under a used id", given: given(signedUp, home, homeFirst), when: addAddress(func(c *AddAddress) { c.Nickname = "Office" }), wantErr: domain.ECONFLICT, wantMessage: "already in your address book"},
		{name: "a nickname used, in other case and spaces", given: given(signedUp, home, homeFirst), when: addAddress(func(c *AddAddress) { c.AddressID, c.Nickname = "a2", "  hOME " }),
			wantErr: domain.EINVALID, wantField: "nickname", wantMessage: "You already have an address called Home"},
		{name: "the longest fields", given: given(signedUp), when: addAddress(func(c *AddAddress) {
			c.Nickname, c.Street, c.PostalCode, c.City, c.Instructions = strings.Repeat("n", 30), strings.Repeat("s", 120), strings.Repeat("p", 12), strings.Repeat("c", 60), strings.Repeat("i", 199)+"\n"
		}), then: given(AddressAdded{CustomerID: cid, AddressID: "a1", Nickname: strings.Repeat("n", 30), Street: strings.Repeat("s", 120), PostalCode: strings.Repeat("p", 12), City: strings.Repeat("c", 60), Instructions: strings.Repeat("i", 199)}, homeFirst)},
		{name: "instructions on two lines", given: given(signedUp), when: addAddress(func(c *AddAddress) { c.Instructions = "Ring twice.\nThird floor." }),
			then: given(AddressAdded{CustomerID: cid, AddressID: "a1", Nickname: "Home", Street: "Main Street 1", PostalCode: "1011 AB", City: "Amsterdam", Instructions: "Ring twice.\nThird floor."}, homeFirst)},
		{name: "no instructions", given: given(signedUp), when: addAddress(func(c *AddAddress) { c.Instructions = "  " }),
			then: given(AddressAdded{CustomerID: cid, AddressID: "a1", Nickname: "Home", Street: "Main Street 1", PostalCode: "1011 AB", City: "Amsterdam"}, homeFirst)},
		{name: "a full book", given: given(signedUp, book(MaxAddresses)), when: addHome, wantErr: domain.ECONFLICT, wantMessage: "at most 20 addresses"},
		{name: "no id", given: given(signedUp), when: addAddress(func(c *AddAddress) { c.AddressID = "" }), wantErr: domain.EINVALID, wantField: "address_id"},
		{name: "no nickname", given: given(signedUp), when: addAddress(func(c *AddAddress) { c.Nickname = " " }), wantErr: domain.EINVALID, wantField: "nickname", wantMessage: "nickname"},
		{name: "a nickname too long", given: given(signedUp), when: addAddress(func(c *AddAddress) { c.Nickname = strings.Repeat("n", 31) }), wantErr: domain.EINVALID, wantField: "nickname", wantMessage: "30"},
		{name: "a nickname with a control character", given: given(signedUp), when: addAddress(func(c *AddAddress) { c.Nickname = "Ho\x00me" }), wantErr: domain.EINVALID, wantField: "nickname"},
		{name: "no street", given: given(signedUp), when: addAddress(func(c *AddAddress) { c.Street = "" }), wantErr: domain.EINVALID, wantField: "street", wantMessage: "street"},
		{name: "a street too long", given: given(signedUp), when: addAddress(func(c *AddAddress) { c.Street = strings.Repeat("s", 121) }), wantErr: domain.EINVALID, wantField: "street", wantMessage: "120"},
		{name: "no postal code", given: given(signedUp), when: addAddress(func(c *AddAddress) { c.PostalCode = "" }), wantErr: domain.EINVALID, wantField: "postal_code", wantMessage: "postal code"},
		{name: "a postal code too long", given: given(signedUp), when: addAddress(func(c *AddAddress) { c.PostalCode = strings.Repeat("1", 13) }), wantErr: domain.EINVALID, wantField: "postal_code", wantMessage: "12"},
		{name: "no city", given: given(signedUp), when: addAddress(func(c *AddAddress) { c.City = "" }), wantErr: domain.EINVALID, wantField: "city", wantMessage: "city"},
		{name: "a city too long", given: given(signedUp), when: addAddress(func(c *AddAddress) { c.City = strings.Repeat("c", 61) }), wantErr: domain.EINVALID, wantField: "city", wantMessage: "60"},
		{name: "instructions too long", given: given(signedUp), when: addAddress(func(c *AddAddress) { c.Instructions = strings.Repeat("i", 201) }), wantErr: domain.EINVALID, wantField: "instructions", wantMessage: "200"},
		{name: "instructions with a control character", given: given(signedUp), when: addAddress(func(c *AddAddress) { c.Instructions = "Ring\x07" }), wantErr: domain.EINVALID, wantField: "instructions"},
	})
}

func TestChangeAddress(t *testing.T) {
	book := given(signedUp, home, homeFirst, office)
	runAll(t, []spec{
		{name: "new fields, trimmed", given: book, when: changeAddress(func(c *ChangeAddress) { c.Street, c.Instructions = " Main Street 10 ", "" }),
			then: given(AddressChanged{CustomerID: cid, AddressID: "a1", Nickname: "Home", Street: "Main Street 10", PostalCode: "1011 AB", City: "Amsterdam"})},
		{name: "its own nickname in another case", given: book, when: changeAddress(func(c *ChangeAddress) { c.Nickname = "HOME" }),
			then: given(AddressChanged{CustomerID: cid, AddressID: "a1", Nickname: "HOME", Street: "Main Street 1", PostalCode: "1011 AB", City: "Amsterdam", Instructions: "Ring twice."})},
		{name: "nothing changes", given: book, when: ChangeAddress(addHome)},
		{name: "another address's nickname", given: book, when: changeAddress(func(c *ChangeAddress) { c.Nickname = " office" }),
			wantErr: domain.EINVALID, wantField: "nickname", wantMessage: "Office"},
		{name: "an unknown address", given: book, when: changeAddress(func(c *ChangeAddress) { c.AddressID = "nope" }), wantErr: domain.ENOTFOUND, wantMessage: "not in your address book"},
		{name: "a removed address", given: given(book, AddressRemoved{CustomerID: cid, AddressID: "a1"}, officeDef), when: ChangeAddress(addHome), wantErr: domain.ENOTFOUND},
		{name: "no nickname", given: book, when: changeAddress(func(c *ChangeAddress) { c.Nickname = "" }), wantErr: domain.EINVALID, wantField: "nickname"},
		{name: "no street", given: book, when: changeAddress(func(c *ChangeAddress) { c.Street = "" }), wantErr: domain.EINVALID, wantField: "street"},
		{name: "no postal code", given: book, when: changeAddress(func(c *ChangeAddress) { c.PostalCode = "" }), wantErr: domain.EINVALID, wantField: "postal_code"},
		{name: "no city", given: book, when: changeAddress(func(c *ChangeAddress) { c.City = "" }), wantErr: domain.EINVALID, wantField: "city"},
		{name: "instructions too long", given: book, when: changeAddress(func(c *ChangeAddress) { c.Instructions = strings.Repeat("i", 201) }), wantErr: domain.EINVALID, wantField: "instructions"},
	})
}

func TestRemoveAddress(t *testing.T) {
	book := given(signedUp, home, homeFirst, office, mum)
	runAll(t, []spec{
		{name: "not the default", given: book, when: RemoveAddress{AddressID: "a2"}, then: given(AddressRemoved{CustomerID: cid, AddressID: "a2"})},
		{name: "the default passes to the oldest remaining", given: book, when: RemoveAddress{AddressID: "a1"},
			then: given(AddressRemoved{CustomerID: cid, AddressID: "a1"}, officeDef)},
		{name: "a chosen default passes to the oldest remaining", given: given(book, mumDef), when: RemoveAddress{AddressID: "a3"},
			then: given(AddressRemoved{CustomerID: cid, AddressID: "a3"}, homeFirst)},
		{name: "the last address leaves no default", given: given(signedUp, home, homeFirst), when: RemoveAddress{AddressID: "a1"},
			then: given(AddressRemoved{CustomerID: cid, AddressID: "a1"})},
		{name: "an unknown address", given: book, when: RemoveAddress{AddressID: "nope"}, wantErr: domain.ENOTFOUND, wantMessage: "not in your address book"},
		{name: "twice", given: given(book, AddressRemoved{CustomerID: cid, AddressID: "a2"}), when: RemoveAddress{AddressID: "a2"}, wantErr: domain.ENOTFOUND},
	})
}

func TestChooseDefaultAddress(t *testing.T) {
	book := given(signedUp, home, homeFirst, office)
	runAll(t, []spec{
		{name: "another address", given: book, when: ChooseDefaultAddress{AddressID: "a2"}, then: given(officeDef)},
		{name: "already the default", given: book, when: ChooseDefaultAddress{AddressID: "a1"}},
		{name: "back to the first", given: given(book, officeDef), when: ChooseDefaultAddress{AddressID: "a1"}, then: given(homeFirst)},
		{name: "an unknown address", given: book, when: ChooseDefaultAddress{AddressID: "nope"}, wantErr: domain.ENOTFOUND, wantMessage: "not in your address book"},
		{name: "a removed address", given: given(book, AddressRemoved{CustomerID: cid, AddressID: "a2"}), when: ChooseDefaultAddress{AddressID: "a2"}, wantErr: domain.ENOTFOUND},
	})
}

func TestAdoptGuestOrder(t *testing.T) {
	adopt := AdoptGuestOrder{OrderID: "order-9", GuestID: "guest-9", At: t1}
	runAll(t, []spec{
		{name: "a guest order", given: given(signedUp), when: adopt, then: given(adopted)},
		{name: "the same order twice", given: given(signedUp, adopted), when: adopt},
		{name: "the same order from another guest id", given: given(signedUp, adopted), when: AdoptGuestOrder{OrderID: "order-9", GuestID: "guest-10", At: t1}},
		{name: "another order", given: given(signedUp, adopted), when: AdoptGuestOrder{OrderID: "order-10", GuestID: "guest-9", At: t1},
			then: given(GuestOrderAdopted{CustomerID: cid, OrderID: "order-10", GuestID: "guest-9", AdoptedAt: t1})},
		{name: "no order id", given: given(signedUp), when: AdoptGuestOrder{GuestID: "guest-9", At: t1}, wantErr: domain.EINVALID, wantField: "order_id"},
		{name: "no guest id", given: given(signedUp), when: AdoptGuestOrder{OrderID: "order-9", GuestID: " ", At: t1}, wantErr: domain.EINVALID, wantField: "guest_id"},
	})
}

func TestErase(t *testing.T) {
	runAll(t, []spec{
		{name: "a customer", given: given(signedUp, home, homeFirst), when: Erase{At: t1}, then: given(erased)},
		// The guests whose orders came into the account go with it, each once:
		// their contacts on those orders are sealed with their keys.
		{name: "with adopted guest orders", given: given(signedUp, adopted, adopted,
			GuestOrderAdopted{CustomerID: cid, OrderID: "order-10", GuestID: "guest-9", AdoptedAt: t1},
			GuestOrderAdopted{CustomerID: cid, OrderID: "order-11", GuestID: "guest-7", AdoptedAt: t1}),
			when: Erase{At: t1}, then: given(CustomerErased{CustomerID: cid, Guests: []string{"guest-9", "guest-7"}, ErasedAt: t1})},
		{name: "twice", given: given(signedUp, erased), when: Erase{At: t1}, wantErr: domain.ECONFLICT, wantMessage: "This account was erased."},
	})
}

// TestUnknownCommand: a command of another package's kind, or nil, is refused
// rather than ignored.
func TestUnknownCommand(t *testing.T) {
	got, err := Decide(fold(signedUp), nil)
	checkRefusal(t, got, err, domain.EINVALID, "", "not available")
}

func TestEvolve(t *testing.T) {
	if s := fold(); !reflect.DeepEqual(s, State{}) || s.Status() != StatusNone || s.Addresses() != nil {
		t.Fatalf("zero state: %#v", s)
	}
	s := fold(signedUp, CustomerDetailsChanged{CustomerID: cid, Name: "Ana Maria", Phone: "123456"}, home, homeFirst, office, mum,
		AddressChanged{CustomerID: cid, AddressID: "a2", Nickname: "Work", Street: "Dam 3", PostalCode: "1012 JS", City: "Amsterdam", Instructions: "Reception."},
		AddressRemoved{CustomerID: cid, AddressID: "a1"}, officeDef, adopted, adopted)
	want := State{
		customerID: cid,
		status:     StatusActive,
		name:       "Ana Maria",
		email:      "ana.souza@example.com",
		phone:      "123456",
		signedUpAt: t0,
		addresses: []Address{
			{AddressID: "a2", Nickname: "Work", Street: "Dam 3", PostalCode: "1012 JS", City: "Amsterdam", Instructions: "Reception."},
			{AddressID: "a3", Nickname: "Mum's", Street: "Canal 3", PostalCode: "3511 AA", City: "Utrecht"},
		},
		defaultAddress: "a2",
		adopted:        []string{"order-9"},
		guests:         []string{"guest-9"},
	}
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("folded state\n got: %#v\nwant: %#v", s, want)
	}
	if s.CustomerID() != cid || s.Name() != "Ana Maria" || s.Email() != "ana.souza@example.com" || s.Phone() != "123456" || !s.SignedUpAt().Equal(t0) || !s.ErasedAt().IsZero() {
		t.Errorf("accessors: %q %q %q %q %v %v", s.CustomerID(), s.Name(), s.Email(), s.Phone(), s.SignedUpAt(), s.ErasedAt())
	}
	if d, ok := s.Default(); !ok || d.Nickname != "Work" {
		t.Errorf("Default = %#v, %v", d, ok)
	}
	if a, ok := s.Address("a3"); !ok || a.City != "Utrecht" {
		t.Errorf("Address(a3) = %#v, %v", a, ok)
	}
	if _, ok := s.Address("a1"); ok {
		t.Errorf("Address(a1) found after removal")
	}
	if got := s.AdoptedOrders(); !slices.Equal(got, []string{"order-9"}) || !s.HasAdopted("order-9") || s.HasAdopted("order-10") {
		t.Errorf("AdoptedOrders = %v", got)
	}
	// The copies returned are the caller's own.
	s.Addresses()[0].Nickname = "Changed"
	s.AdoptedOrders()[0] = "changed"
	if !reflect.DeepEqual(s, want) {
		t.Errorf("changing a returned copy changed the state: %#v", s)
	}
	if s := fold(signedUp, home, homeFirst, AddressRemoved{CustomerID: cid, AddressID: "a1"}); len(s.Addresses()) != 0 {
		t.Errorf("book after removing its only address: %#v", s)
	} else if _, ok := s.Default(); ok {
		t.Errorf("a default remains after the book was emptied: %#v", s)
	}
	if s := fold(signedUp, home, homeFirst, DefaultAddressChosen{CustomerID: cid, AddressID: "nope"}); s.defaultAddress != "a1" {
		t.Errorf("a default for an unknown address was taken: %#v", s)
	}
	before := fold(signedUp, home, homeFirst)
	type unknown struct{ domain.Event }
	for _, e := range []domain.Event{
		unknown{},
		AddressChanged{CustomerID: cid, AddressID: "nope", Nickname: "X", Street: "X", PostalCode: "X", City: "X"},
		AddressRemoved{CustomerID: cid, AddressID: "nope"},
		EmailReserved{CustomerID: cid},
	} {
		if s := Evolve(before, e); !reflect.DeepEqual(s, before) {
			t.Errorf("%#v changed the state: %#v", e, s)
		}
	}
}

// TestErasureLeavesNothingPersonal: after erasure the state holds the id, the
// status and the time, and no later event brings personal data back.
func TestErasureLeavesNothingPersonal(t *testing.T) {
	s := fold(signedUp, CustomerDetailsChanged{CustomerID: cid, Name: "Ana Maria", Phone: "123456"}, home, homeFirst, office, adopted, laptop, erased)
	want := State{customerID: cid, status: StatusErased, erasedAt: t1}
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("erased state\n got: %#v\nwant: %#v", s, want)
	}
	for _, e := range []domain.Event{signedUp, CustomerDetailsChanged{CustomerID: cid, Name: "Ana", Phone: "123456"}, home, homeFirst, adopted, CustomerErased{CustomerID: cid, ErasedAt: t1.Add(time.Hour)}} {
		if got := Evolve(s, e); !reflect.DeepEqual(got, want) {
			t.Errorf("%T after erasure changed the state: %#v", e, got)
		}
	}
	// Nothing a personal event held is anywhere in the state, exported or not.
	dump := fmt.Sprintf("%#v", s)
	for _, personal := range []string{"Ana", "ana.souza", "example.com", "123456", "4567", "Home", "Main Street", "1011 AB", "Amsterdam", "Ring twice", "Office", "Dam 2", "order-9", "Work laptop", "p1"} {
		if strings.Contains(dump, personal) {
			t.Errorf("erased state still holds %q: %s", personal, dump)
		}
	}
	if s.Name() != "" || s.Email() != "" || s.Phone() != "" || s.Addresses() != nil || s.AdoptedOrders() != nil || s.Passkeys() != nil || !s.SignedUpAt().IsZero() {
		t.Errorf("erased accessors still answer: %#v", s)
	}
	if _, ok := s.Default(); ok {
		t.Errorf("erased state has a default address")
	}
	if s.Status() != StatusErased || s.CustomerID() != cid || !s.ErasedAt().Equal(t1) {
		t.Errorf("erased state lost what it keeps: %#v", s)
	}
}

// TestEvolveKeepsOldStates checks that evolving never writes into the slices
// of an earlier state, so a customer can be shown as they were at any
// revision.
func TestEvolveKeepsOldStates(t *testing.T) {
	a := fold(signedUp, home, homeFirst, office, mum, adopted)
	// Spare capacity is where an in-place append would hide.
	a.addresses = append(make([]Address, 0, 10), a.addresses...)
	a.adopted = append(make([]string, 0, 10), a.adopted...)
	snapshot, orders := slices.Clone(a.addresses), slices.Clone(a.adopted)

	removed := Evolve(a, AddressRemoved{CustomerID: cid, AddressID: "a1"})
	changed := Evolve(a, AddressChanged{CustomerID: cid, AddressID: "a2", Nickname: "Work", Street: "Dam 3", PostalCode: "1012 JS", City: "Amsterdam"})
	b := Evolve(a, AddressAdded{CustomerID: cid, AddressID: "b", Nickname: "B", Street: "B", PostalCode: "B", City: "B"})
	c := Evolve(a, AddressAdded{CustomerID: cid, AddressID: "c", Nickname: "C", Street: "C", PostalCode: "C", City: "C"})
	ob := Evolve(a, GuestOrderAdopted{CustomerID: cid, OrderID: "ob", GuestID: "g", AdoptedAt: t1})
	oc := Evolve(a, GuestOrderAdopted{CustomerID: cid, OrderID: "oc", GuestID: "g", AdoptedAt: t1})
	_ = Evolve(a, erased)

	if !reflect.DeepEqual(a.addresses, snapshot) || !reflect.DeepEqual(a.adopted, orders) {
		t.Fatalf("state A changed\n got: %#v %#v\nwant: %#v %#v", a.addresses, a.adopted, snapshot, orders)
	}
	if len(removed.addresses) != 2 || removed.addresses[0].AddressID != "a2" {
		t.Errorf("removal: %#v", removed.addresses)
	}
	if x, _ := changed.Address("a2"); x.Nickname != "Work" {
		t.Errorf("change: %#v", changed.addresses)
	}
	if b.addresses[3].AddressID != "b" || c.addresses[3].AddressID != "c" {
		t.Errorf("two states evolved from A share addresses: %q %q", b.addresses[3].AddressID, c.addresses[3].AddressID)
	}
	if ob.adopted[1] != "ob" || oc.adopted[1] != "oc" {
		t.Errorf("two states evolved from A share adopted orders: %q %q", ob.adopted[1], oc.adopted[1])
	}
}

// candidates are plausible commands for a name in state s: if the name is
// allowed, at least one of them must be decided without error; if not, every
// one must be rejected.
func candidates(s State, name CommandName) []Command {
	ids := []string{"missing"}
	for _, a := range s.addresses {
		ids = append(ids, a.AddressID)
	}
	var cs []Command
	switch name {
	case CmdSignUp:
		cs = append(cs, signUp)
	case CmdChangeDetails:
		cs = append(cs, ChangeDetails{Name: "Ana", Phone: "123456"}, ChangeDetails{Name: "Bea", Phone: "654321"})
	case CmdAddAddress:
		cs = append(cs, addAddress(func(c *AddAddress) { c.AddressID, c.Nickname = "fresh", "Fresh" }))
	case CmdChangeAddress:
		for _, id := range ids {
			cs = append(cs, changeAddress(func(c *ChangeAddress) { c.AddressID, c.Nickname = id, "Renamed "+id }))
		}
	case CmdRemoveAddress:
		for _, id := range ids {
			cs = append(cs, RemoveAddress{AddressID: id})
		}
	case CmdChooseDefaultAddress:
		for _, id := range ids {
			cs = append(cs, ChooseDefaultAddress{AddressID: id})
		}
	case CmdAdoptGuestOrder:
		cs = append(cs, AdoptGuestOrder{OrderID: "order-new", GuestID: "guest-new", At: t1})
	case CmdAddPasskey:
		cs = append(cs, AddPasskey{PasskeyID: "fresh", Name: "Phone", At: t1})
	case CmdRemovePasskey:
		cs = append(cs, RemovePasskey{PasskeyID: "missing", At: t1})
		for _, p := range s.passkeys {
			cs = append(cs, RemovePasskey{PasskeyID: p.PasskeyID, At: t1})
		}
	case CmdErase:
		cs = append(cs, Erase{At: t1})
	}
	return cs
}

func TestAllowed(t *testing.T) {
	all := []CommandName{CmdSignUp, CmdChangeDetails, CmdAddAddress, CmdChangeAddress, CmdRemoveAddress, CmdChooseDefaultAddress, CmdAdoptGuestOrder, CmdAddPasskey, CmdRemovePasskey, CmdErase}
	withBook := []CommandName{CmdChangeDetails, CmdAddAddress, CmdChangeAddress, CmdRemoveAddress, CmdChooseDefaultAddress, CmdAdoptGuestOrder, CmdAddPasskey, CmdErase}
	bare := []CommandName{CmdChangeDetails, CmdAddAddress, CmdAdoptGuestOrder, CmdAddPasskey, CmdErase}
	for _, tc := range []struct {
		name  string
		given []domain.Event
		want  []CommandName
	}{
		{name: "never signed up", want: []CommandName{CmdSignUp}},
		{name: "signed up, no addresses", given: given(signedUp), want: bare},
		{name: "with an address", given: given(signedUp, home, homeFirst), want: withBook},
		{name: "with two addresses", given: given(signedUp, home, homeFirst, office), want: withBook},
		{name: "a full book", given: given(signedUp, book(MaxAddresses)), want: slices.DeleteFunc(slices.Clone(withBook), func(n CommandName) bool { return n == CmdAddAddress })},
		{name: "every address removed", given: given(signedUp, home, homeFirst, AddressRemoved{CustomerID: cid, AddressID: "a1"}), want: bare},
		{name: "with a passkey", given: given(signedUp, laptop),
			want: []CommandName{CmdChangeDetails, CmdAddAddress, CmdAdoptGuestOrder, CmdAddPasskey, CmdRemovePasskey, CmdErase}},
		{name: "with every passkey an account can hold", given: given(signedUp, passkeys(MaxPasskeys)),
			want: []CommandName{CmdChangeDetails, CmdAddAddress, CmdAdoptGuestOrder, CmdRemovePasskey, CmdErase}},
		{name: "every passkey removed", given: given(signedUp, laptop, laptopRemoved), want: bare},
		{name: "erased", given: given(signedUp, home, homeFirst, erased), want: nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := fold(tc.given...)
			got := Allowed(s)
			if !slices.Equal(got, tc.want) {
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
