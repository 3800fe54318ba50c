package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/gorilla/websocket"

	"restaurant/domain"
	"restaurant/domain/kitchen"
	"restaurant/domain/menu"
	"restaurant/domain/ordering"
	"restaurant/domain/staff"
	"restaurant/internal/accounts"
	"restaurant/projections"
)

// The fuzz targets read commands as the handlers do, without a database:
// whatever a client sends, reading never panics, a refusal is a 4xx, and
// what is read either breaks a rule the domain refuses with a 4xx or makes
// events that keep the domain's invariants. A form and a JSON object with
// the same fields read as the same command.

// readBody reads a command body as a handler does.
func readBody(contentType, key string, body []byte) (*http.Request, input, error) {
	r := httptest.NewRequest(http.MethodPost, "/commands", bytes.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	if key != "" {
		r.Header.Set("Idempotency-Key", key)
	}
	in, err := readInput(httptest.NewRecorder(), r)
	return r, in, err
}

// clientError fails unless err maps to a 4xx.
func clientError(t *testing.T, what string, err error) {
	t.Helper()
	if status := statusOf(err); status < 400 || status > 499 {
		t.Fatalf("%s: %v maps to %d, want a 4xx", what, err, status)
	}
}

// isText says whether s is what PostgreSQL stores as text.
func isText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// text fails unless every string of v (a struct of events or commands, at
// any depth) is text.
func text(t *testing.T, what string, v any) {
	t.Helper()
	var walk func(reflect.Value, string)
	walk = func(v reflect.Value, path string) {
		switch v.Kind() {
		case reflect.String:
			if !isText(v.String()) {
				t.Fatalf("%s: %s = %q is not text", what, path, v.String())
			}
		case reflect.Struct:
			for i := range v.NumField() {
				if v.Type().Field(i).IsExported() {
					walk(v.Field(i), path+"."+v.Type().Field(i).Name)
				}
			}
		case reflect.Slice:
			for i := range v.Len() {
				walk(v.Index(i), path)
			}
		case reflect.Interface, reflect.Pointer:
			if !v.IsNil() {
				walk(v.Elem(), path)
			}
		}
	}
	walk(reflect.ValueOf(v), what)
}

// bothWays reads the same fields from a form and from a JSON object. Both
// read alike when every field is text; otherwise the form is refused with
// 400 (JSON itself cannot carry bytes that are not UTF-8: they arrive as
// U+FFFD). It returns the inputs that were read.
func bothWays(t *testing.T, fields map[string]string) []input {
	t.Helper()
	formBody := url.Values{}
	allText := true
	for k, v := range fields {
		formBody.Set(k, v)
		allText = allText && isText(v)
	}
	jsonBody, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	_, fromForm, formErr := readBody("application/x-www-form-urlencoded", "", []byte(formBody.Encode()))
	_, fromJSON, jsonErr := readBody("application/json", "", jsonBody)
	var read []input
	for _, c := range []struct {
		name string
		in   input
		err  error
	}{{"form", fromForm, formErr}, {"JSON", fromJSON, jsonErr}} {
		if c.err != nil {
			clientError(t, c.name, c.err)
			continue
		}
		for k, v := range c.in.values {
			if !isText(v) {
				t.Fatalf("%s: field %s = %q was read, but it is not text", c.name, k, v)
			}
		}
		read = append(read, c.in)
	}
	switch {
	case allText && (formErr != nil || jsonErr != nil):
		t.Fatalf("fields that are all text were refused: form %v, JSON %v", formErr, jsonErr)
	case allText && !reflect.DeepEqual(fromForm.values, fromJSON.values):
		t.Fatalf("the form read %q, the JSON object %q", fromForm.values, fromJSON.values)
	case allText && !reflect.DeepEqual(fromForm.values, fields):
		t.Fatalf("the form read %q from %q", fromForm.values, fields)
	case !allText && statusOf(formErr) != http.StatusBadRequest:
		t.Fatalf("a form with a field that is not text: %v, want 400", formErr)
	}
	return read
}

func FuzzReadInput(f *testing.F) {
	f.Add("application/x-www-form-urlencoded", "", []byte("menu_item_id=margherita&option-size=regular&quantity=2&command_id=5d1a0c1e"))
	f.Add("application/json", "key-1", []byte(`{"quantity": 2, "note": "no onions", "gift": true}`))
	f.Add("application/problem+json; charset=utf-8", "", []byte(`{"a":"b"} {"c":"d"}`))
	f.Add("application/json", "", []byte(`{"quantity": [1, 2]}`))
	f.Add("application/json", "", []byte(`{"note": "a\u0000b"}`))
	f.Add("application/x-www-form-urlencoded", "", []byte("note=%00&quantity=%FF"))
	f.Add("", "", []byte("a=1;b=2&%zz"))
	f.Add("application/json", "", []byte(`null`))
	f.Add("application/x-www-form-urlencoded", "", []byte("menu_item_id=margherita&option-size=large&option-extras=basil&option-extras=olives&option-extras=%00"))
	f.Add("application/json", "", []byte(`{"menu_item_id":"margherita","option-size":"large","option-extras":["basil","olives"],"option-x":[1],"option-y":[]}`))
	f.Fuzz(func(t *testing.T, contentType, key string, body []byte) {
		r, in, err := readBody(contentType, key, body)
		if err != nil {
			var re *requestError
			if !errors.As(err, &re) {
				t.Fatalf("a body that cannot be read gives %T %v, want a request error", err, err)
			}
			clientError(t, "read", err)
			return
		}
		if in.json != wantsJSON(r) {
			t.Fatalf("read as JSON: %v, but the content type %q says %v", in.json, contentType, wantsJSON(r))
		}
		for k, v := range in.values {
			if !isText(v) {
				t.Fatalf("field %q = %q was read, but it is not text", k, v)
			}
		}
		for k, vs := range in.lists {
			if !listField(k) || len(vs) > maxListValues || (len(vs) > 0 && vs[0] != in.values[k]) {
				t.Fatalf("field %q was read as the list %q beside %q", k, vs, in.values[k])
			}
			for _, v := range vs {
				if !isText(v) {
					t.Fatalf("a value %q of field %q was read, but it is not text", v, k)
				}
			}
		}
		if len(in.key) > 200 {
			t.Fatalf("an idempotency key of %d bytes was read", len(in.key))
		}
		if in.key != "" {
			first, again := in.commandID("guest-a"), in.commandID("guest-a")
			if first != again {
				t.Fatal("the same key gives different command ids")
			}
			if first == in.commandID("guest-b") {
				t.Fatal("two guests' equal keys give the same command id")
			}
		}
	})
}

// fuzzMenu is the menu the order fuzz target adds from: a dish, and a dish
// that is sold out.
var fuzzMenu = map[string]projections.MenuItem{
	"margherita": {ItemID: "margherita", Name: "Margherita", CategoryID: "pizza", CategoryName: "Pizza", Price: domain.Cents(950)},
	"tiramisu":   {ItemID: "tiramisu", Name: "Tiramisù", CategoryID: "desserts", CategoryName: "Desserts", Price: domain.Cents(650), SoldOut: true},
}

func fuzzMenuItem(id string) (projections.MenuItem, bool, error) {
	it, ok := fuzzMenu[id]
	return it, ok, nil
}

// openOrder is an open order with one line, "line-1".
func openOrder() ordering.State {
	s := ordering.State{}
	for _, e := range []domain.Event{
		ordering.OrderOpened{OrderID: "4b4d6a53-0e4c-4d5e-9a7e-2f0b1c3d4e5f", CustomerID: "guest-a"},
		ordering.ItemAddedToOrder{OrderID: "4b4d6a53-0e4c-4d5e-9a7e-2f0b1c3d4e5f", LineID: "line-1", MenuItemID: "margherita",
			Name: "Margherita", Quantity: 1, UnitPrice: domain.Cents(950)},
	} {
		s = ordering.Evolve(s, e)
	}
	return s
}

// decideOrder decides a command read from a form on an open order, and
// checks the events against the order's rules.
func decideOrder(t *testing.T, what string, cmd ordering.Command) []domain.Event {
	t.Helper()
	events, err := ordering.Decide(openOrder(), cmd)
	if err != nil {
		clientError(t, what, err)
		return nil
	}
	text(t, what, events)
	for _, e := range events {
		switch e := e.(type) {
		case ordering.ItemAddedToOrder:
			if e.Quantity < 1 || e.Quantity > ordering.MaxQuantity || e.UnitPrice.Amount <= 0 || e.UnitPrice.Currency != domain.EUR ||
				utf8.RuneCountInString(e.Note) > ordering.MaxNoteLength || e.Note != strings.TrimSpace(e.Note) {
				t.Fatalf("%s: %+v", what, e)
			}
		case ordering.ItemQuantityChanged:
			if e.Quantity < 1 || e.Quantity > ordering.MaxQuantity || e.LineID != "line-1" {
				t.Fatalf("%s: %+v", what, e)
			}
		case ordering.DeliveryAddressGiven:
			a := e.Address
			for _, f := range []struct {
				v        string
				min, max int
			}{{a.Street, 1, 120}, {a.City, 1, 60}, {a.PostalCode, 1, 12}, {a.Instructions, 0, 200}} {
				if n := utf8.RuneCountInString(f.v); n < f.min || n > f.max || f.v != strings.TrimSpace(f.v) {
					t.Fatalf("%s: %+v", what, a)
				}
			}
		case ordering.OrderCanceled:
			if utf8.RuneCountInString(e.Reason) > ordering.MaxReasonLength {
				t.Fatalf("%s: a reason of %d runes", what, utf8.RuneCountInString(e.Reason))
			}
		}
	}
	return events
}

func FuzzOrderCommands(f *testing.F) {
	f.Add("margherita", "2", "no basil", "line-1", "Hauptstraße 5", "Berlin", "10115", "ring twice", "changed my mind")
	f.Add("margherita", " 99 ", "", "line-1", "", "", "", "", "")
	f.Add("tiramisu", "1", "", "line-2", "a", "b", "c", "", "")
	f.Add("pizza", "0", strings.Repeat("x", 201), "line-1", strings.Repeat("s", 121), "Köln", "50667", "", strings.Repeat("r", 201))
	f.Add("margherita", "-3", "", "", " ", "\t", "1", "", "")
	f.Add("margherita", "1e2", "\x00", "line-1\x00", "x", "y", "z", "", "\xff")
	f.Add(" margherita ", "9223372036854775808", "🍕", "line-1", "x", "y", strings.Repeat("9", 13), "", "")
	f.Fuzz(func(t *testing.T, item, quantity, note, lineID, street, city, postal, instructions, reason string) {
		fields := map[string]string{"menu_item_id": item, "quantity": quantity, "note": note, "street": street, "city": city,
			"postal_code": postal, "instructions": instructions, "reason": reason}
		at := time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)
		commandID := uuid.MustParse("0b8f2d8e-3c41-4f5a-9d0e-6a7b8c9d0e1f")
		var decided [][]domain.Event
		for _, in := range bothWays(t, fields) {
			var events []domain.Event
			add, err := addItemForm(in, commandID, fuzzMenuItem)
			if err != nil {
				clientError(t, "add item", err)
			} else {
				events = append(events, decideOrder(t, "add item", add)...)
			}
			change, err := changeQuantityCommand(lineID, in)
			if err != nil {
				clientError(t, "change quantity", err)
			} else {
				events = append(events, decideOrder(t, "change quantity", change)...)
			}
			events = append(events, decideOrder(t, "remove item", ordering.RemoveItem{LineID: lineID})...)
			events = append(events, decideOrder(t, "choose pickup", ordering.ChoosePickup{})...)
			events = append(events, decideOrder(t, "delivery address", deliveryAddressCommand(in))...)
			events = append(events, decideOrder(t, "contact", contactCommand(in))...)
			events = append(events, decideOrder(t, "place", ordering.PlaceOrder{At: at})...)
			events = append(events, decideOrder(t, "cancel", cancelOrderCommand(in, at))...)
			decided = append(decided, events)
		}
		if len(decided) == 2 && !reflect.DeepEqual(decided[0], decided[1]) {
			t.Fatalf("the form decided %+v, the JSON object %+v", decided[0], decided[1])
		}
	})
}

// fuzzCategories are the categories the menu fuzz target files dishes under.
func fuzzCategories() menu.Categories {
	var c menu.Categories
	for _, e := range []domain.Event{menu.CategoryAdded{CategoryID: "pizza", Name: "Pizza"}, menu.CategoryAdded{CategoryID: "desserts", Name: "Desserts"}} {
		c = menu.EvolveCategories(c, e)
	}
	return c
}

// existingDish is a dish on the menu.
func existingDish() menu.State {
	return menu.Evolve(menu.State{}, menu.MenuItemAdded{ItemID: "margherita", Name: "Margherita", CategoryID: "pizza", Price: domain.Cents(950)})
}

// decideMenu decides a command read from a form, and checks the events
// against the menu's rules.
func decideMenu(t *testing.T, what string, s menu.State, itemID string, cmd menu.Command) []domain.Event {
	t.Helper()
	if err := checkDishID(itemID); err != nil {
		clientError(t, what, err)
		return nil
	}
	events, err := menu.Decide(s, menu.Filed(cmd, fuzzCategories()))
	if err != nil {
		clientError(t, what, err)
		return nil
	}
	text(t, what, events)
	check := func(name, description, categoryID string, price domain.Money, allergens []menu.Allergen, diets []menu.Diet) {
		for _, f := range []struct {
			v   string
			max int
		}{{name, menu.MaxNameLength}, {description, menu.MaxDescriptionLength}} {
			if f.v != strings.TrimSpace(f.v) || utf8.RuneCountInString(f.v) > f.max {
				t.Fatalf("%s: %q", what, f.v)
			}
		}
		if _, filed := fuzzCategories().Find(categoryID); name == "" || !filed || price.Amount <= 0 || price.Amount > menu.MaxPrice || price.Currency != domain.EUR {
			t.Fatalf("%s: %q %q %+v", what, name, categoryID, price)
		}
		for _, a := range allergens {
			if a.Label() == "" || slices.Contains(diets, menu.Vegan) && (a == menu.Milk || a == menu.Eggs) || a == menu.Gluten && slices.Contains(diets, menu.GlutenFree) {
				t.Fatalf("%s: %v with %v", what, allergens, diets)
			}
		}
		for _, d := range diets {
			if d.Label() == "" {
				t.Fatalf("%s: the diet %q", what, d)
			}
		}
	}
	for _, e := range events {
		switch e := e.(type) {
		case menu.MenuItemAdded:
			check(e.Name, e.Description, e.CategoryID, e.Price, e.Allergens, e.Diets)
		case menu.MenuItemModified:
			check(e.Name, e.Description, e.CategoryID, e.Price, e.Allergens, e.Diets)
		}
	}
	return events
}

// decideCategory decides a new category read from a form, and checks it
// against the categories' rules.
func decideCategory(t *testing.T, in input, commandID uuid.UUID) []domain.Event {
	t.Helper()
	events, err := menu.DecideCategory(fuzzCategories(), addCategoryCommand(in, commandID))
	if err != nil {
		clientError(t, "add category", err)
		return nil
	}
	text(t, "add category", events)
	added := events[0].(menu.CategoryAdded)
	if n := added.Name; n == "" || n != strings.Join(strings.Fields(n), " ") || utf8.RuneCountInString(n) > menu.MaxCategoryLength ||
		strings.ContainsFunc(n, unicode.IsControl) || strings.EqualFold(n, "pizza") || checkDishID(added.CategoryID) != nil {
		t.Fatalf("a category was added as %+v", added)
	}
	return events
}

func FuzzMenuCommands(f *testing.F) {
	f.Add("margherita", "Margherita", "Tomato, mozzarella, basil", "pizza", "11.50", "gluten,milk", "vegetarian")
	f.Add("margherita", "  Quattro  Formaggi ", "", "pizza", "€ 11", " milk , gluten,milk", "")
	f.Add("tiramisu", "Tiramisù", "", "desserts", "6,5", "eggs", "vegan")
	f.Add("MARGHERITA", "", "", "", "", "", "")
	f.Add("../../etc", "x", "", "y", "1000.01", "shellfish", "halal")
	f.Add("margherita", strings.Repeat("n", 81), strings.Repeat("d", 301), "Pizza", "0", "gluten", "gluten-free")
	f.Add("margherita", "A\x00", "", "B", "1.+5", ",,", "vegetarian,vegan")
	f.Add("-", "🍕🍕", "\xff", "pizza", "999999.99", "Milk", "VEGAN")
	f.Fuzz(func(t *testing.T, itemID, name, description, categoryID, price, allergens, diets string) {
		fields := map[string]string{"name": name, "description": description, "category_id": categoryID, "price": price,
			"allergens": allergens, "diets": diets}
		commandID := uuid.MustParse("9e3c1f0a-2b4d-4c6e-8f1a-3b5d7f9a1c2e")
		if m, err := parseEuros(price); err == nil {
			if m.Amount < 0 || m.Currency != domain.EUR {
				t.Fatalf("the price %q reads as %+v", price, m)
			}
			if back, err := parseEuros(euros(m)); err != nil || back != m {
				t.Fatalf("the price %q reads as %+v, shown as %q, which reads as %+v (%v)", price, m, euros(m), back, err)
			}
			digits := strings.ReplaceAll(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(price), "€")), ",", ".")
			if strings.Trim(digits, "0123456789.") != "" || strings.Count(digits, ".") > 1 {
				t.Fatalf("the price %q was read as %+v, but it is not digits", price, m)
			}
		} else {
			clientError(t, "price", err)
		}
		var decided [][]domain.Event
		for _, in := range bothWays(t, fields) {
			var events []domain.Event
			if id, cmd, err := addMenuItemCommand(in, commandID); err != nil {
				clientError(t, "add dish", err)
			} else {
				if checkDishID(id) != nil {
					t.Fatalf("a new dish got the id %q, which no URL can name", id)
				}
				events = append(events, decideMenu(t, "add dish", menu.State{}, id, cmd)...)
			}
			if id, cmd, err := modifyMenuItemCommand(itemID, in); err != nil {
				clientError(t, "modify dish", err)
			} else {
				events = append(events, decideMenu(t, "modify dish", existingDish(), id, cmd)...)
			}
			for _, cmd := range []menu.Command{menu.MarkSoldOut{}, menu.MarkBackInStock{}, menu.RemoveMenuItem{}} {
				events = append(events, decideMenu(t, "dish button", existingDish(), itemID, cmd)...)
			}
			events = append(events, decideCategory(t, in, commandID)...)
			decided = append(decided, events)
		}
		if len(decided) == 2 && !reflect.DeepEqual(decided[0], decided[1]) {
			t.Fatalf("the form decided %+v, the JSON object %+v", decided[0], decided[1])
		}
	})
}

func FuzzStaffForms(f *testing.F) {
	f.Add("noor", "kitchen", "a long password", "/staff/menu?x=1")
	f.Add(" Maria ", " manager ", "short", "//evil.example")
	f.Add("x", "chef", strings.Repeat("p", 73), "/\\evil.example")
	f.Add("a.b-c_d", "Manager", "0123456789", "https://evil.example/")
	f.Add("noor\x00", "", "", "/staff/../..//x")
	f.Add("NOOR", "kitchen", "\xff\xfe long enough", "/%2F%2Fevil.example")
	f.Add("ünal", "kitchen", "long enough!", "/\tstaff")
	f.Fuzz(func(t *testing.T, username, role, password, next string) {
		fields := map[string]string{"username": username, "role": role, "password": password, "next": next}
		var read [][]any
		for _, in := range bothWays(t, fields) {
			var got []any
			if name, r, pw, err := addStaffForm(in); err != nil {
				clientError(t, "add member", err)
			} else {
				if r != staff.Kitchen && r != staff.Manager {
					t.Fatalf("the role %q was read as %q", role, r)
				}
				if err := accounts.CheckPassword(name, pw); err != nil {
					clientError(t, "password", err)
				}
				events, err := staff.Decide(staff.State{}, staff.AddMember{Username: name, Role: r})
				if err != nil {
					clientError(t, "add member", err)
				} else {
					text(t, "add member", events)
					if !staff.ValidUsername(events[0].(staff.StaffMemberAdded).Username) {
						t.Fatalf("a member was added as %q", name)
					}
				}
				got = append(got, name, r, pw)
			}
			if cmd, err := changeRoleCommand(in); err != nil {
				clientError(t, "change role", err)
			} else {
				member := staff.Evolve(staff.State{}, staff.StaffMemberAdded{Username: "noor", Role: staff.Kitchen})
				if _, err := staff.Decide(member, cmd); err != nil {
					t.Fatalf("the role %q was read as %+v, which the member refuses: %v", role, cmd, err)
				}
				got = append(got, cmd)
			}
			name, pw, to := loginForm(in)
			if name != strings.ToLower(name) || name != strings.TrimSpace(name) || !isText(name) || !isText(pw) {
				t.Fatalf("signing in as %q (%q)", name, pw)
			}
			u, err := url.Parse(to)
			if err != nil || !strings.HasPrefix(to, "/") || strings.HasPrefix(to, "//") || strings.ContainsAny(to, "\\\t\r\n") ||
				u.Scheme != "" || u.Host != "" || u.User != nil {
				t.Fatalf("next %q sends the member on to %q, not a path of this site", next, to)
			}
			if localPath(to) != to {
				t.Fatalf("next %q sends the member on to %q, which reads again as %q", next, to, localPath(to))
			}
			read = append(read, append(got, name, pw, to))
		}
		if len(read) == 2 && !reflect.DeepEqual(read[0], read[1]) {
			t.Fatalf("the form read %+v, the JSON object %+v", read[0], read[1])
		}
	})
}

func FuzzKitchenCommands(f *testing.F) {
	f.Add("4b4d6a53-0e4c-4d5e-9a7e-2f0b1c3d4e5f", "5d1a0c1e-6b7f-4e0a-8c1d-2e3f4a5b6c7d")
	f.Add("not-a-ticket", "")
	f.Add("{4b4d6a53-0e4c-4d5e-9a7e-2f0b1c3d4e5f}", "k")
	f.Add("4B4D6A530E4C4D5E9A7E2F0B1C3D4E5F", strings.Repeat("k", 201))
	f.Add("", "\x00")
	f.Fuzz(func(t *testing.T, ticketID, key string) {
		if err := checkTicketID(ticketID); err != nil {
			if statusOf(err) != http.StatusNotFound {
				t.Fatalf("the ticket id %q: %v maps to %d, want 404", ticketID, err, statusOf(err))
			}
			return
		}
		if _, err := uuid.Parse(ticketID); err != nil {
			t.Fatalf("the ticket id %q was let through", ticketID)
		}
		// The key comes in the form's command_id, or in a JSON client's
		// header: either way it gives the same command id.
		_, fromForm, formErr := readBody("application/x-www-form-urlencoded", "", []byte(url.Values{"command_id": {key}}.Encode()))
		_, fromJSON, jsonErr := readBody("application/json", key, []byte(`{}`))
		for _, err := range []error{formErr, jsonErr} {
			if err != nil {
				clientError(t, "key", err)
			}
		}
		if (jsonErr != nil) != (len(key) > 200) {
			t.Fatalf("a key of %d bytes: %v", len(key), jsonErr)
		}
		if isText(key) && (formErr == nil) != (jsonErr == nil) {
			t.Fatalf("the key %q: the form %v, the JSON client %v", key, formErr, jsonErr)
		}
		if key != "" && formErr == nil && jsonErr == nil && fromForm.commandID("staff:kai") != fromJSON.commandID("staff:kai") {
			t.Fatalf("the key %q gives two command ids", key)
		}
		at := time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)
		for _, s := range []kitchen.Status{kitchen.StatusQueued, kitchen.StatusPreparing, kitchen.StatusReady, kitchen.StatusHandedOver, kitchen.StatusCanceled} {
			state := kitchen.State{TicketID: ticketID, Status: s, BumpedAt: at.Add(-time.Minute)}
			for _, cmd := range []kitchen.Command{kitchen.StartTicket{At: at}, kitchen.BumpTicket{At: at}, kitchen.RecallTicket{At: at}, kitchen.HandOverTicket{Payment: kitchen.PaymentCash, At: at}} {
				if _, err := kitchen.Decide(state, cmd); err != nil {
					clientError(t, "kitchen button", err)
				}
			}
		}
	})
}

func FuzzLiveTopics(f *testing.F) {
	f.Add("topic=kitchen")
	f.Add("topic=menu&topic=menu&topic=order:4b4d6a53-0e4c-4d5e-9a7e-2f0b1c3d4e5f")
	f.Add("topic=history:4B4D6A53-0E4C-4D5E-9A7E-2F0B1C3D4E5F")
	f.Add("topic=order:{4b4d6a53-0e4c-4d5e-9a7e-2f0b1c3d4e5f}")
	f.Add("topic=a&topic=b&topic=c&topic=d&topic=e&topic=f&topic=g&topic=h&topic=i")
	f.Add("")
	f.Add("topic=orders&status=placed&topic=projections")
	f.Add("topic=order:&topic=%00")
	f.Fuzz(func(t *testing.T, query string) {
		q, _ := url.ParseQuery(query)
		raw := q["topic"]
		topics, err := parseTopics(raw)
		if err != nil {
			clientError(t, "topics", err)
			return
		}
		if len(topics) < 1 || len(topics) > maxTopics || len(raw) > maxTopics {
			t.Fatalf("%d topics were read from %d", len(topics), len(raw))
		}
		seen := map[string]bool{}
		for _, read := range topics {
			topic := string(read) // checked as the wire spells it
			if seen[topic] {
				t.Fatalf("%q was read twice", topic)
			}
			seen[topic] = true
			if !isText(topic) {
				t.Fatalf("the topic %q is not text", topic)
			}
			name, id, hasID := strings.Cut(topic, ":")
			switch {
			case hasID && name != "order" && name != "history":
				t.Fatalf("the topic %q names an order where none can be", topic)
			case hasID && !canonicalUUID(id):
				t.Fatalf("the topic %q names an order by a malformed id", topic)
			case !hasID && name != "menu" && name != "kitchen" && name != "projections" && name != "orders":
				t.Fatalf("the topic %q is not one of the screens", topic)
			}
		}
		for _, topic := range raw {
			if !seen[topic] {
				t.Fatalf("%q was asked for and read as nothing", topic)
			}
		}
	})
}

func canonicalUUID(id string) bool {
	u, err := uuid.Parse(id)
	return err == nil && u.String() == id
}

func FuzzLiveFrame(f *testing.F) {
	f.Add(websocket.TextMessage, []byte(`{"HEADERS":{"HX-Request":"true"}}`))
	f.Add(websocket.TextMessage, []byte{})
	f.Add(websocket.TextMessage, []byte{'a', 0xff})
	f.Add(websocket.BinaryMessage, []byte{0, 1, 2})
	f.Add(websocket.TextMessage, bytes.Repeat([]byte("x"), readLimit+1))
	f.Add(websocket.PingMessage, []byte("ping"))
	f.Add(-1, []byte(nil))
	f.Fuzz(func(t *testing.T, kind int, payload []byte) {
		act := clientFrame(kind, payload)
		keep := kind == websocket.TextMessage && len(payload) <= readLimit && utf8.Valid(payload)
		if keep != !act.close {
			t.Fatalf("a message of type %d and %d bytes: %+v", kind, len(payload), act)
		}
		if !act.close {
			return
		}
		switch act.code {
		case websocket.CloseUnsupportedData, websocket.CloseInvalidFramePayloadData, websocket.CloseMessageTooBig:
		default:
			t.Fatalf("closed with %d", act.code)
		}
		if kind == websocket.BinaryMessage && act.code != websocket.CloseUnsupportedData {
			t.Fatalf("binary data closed with %d", act.code)
		}
		// A close frame carries at most 125 bytes, its reason is UTF-8.
		if msg := websocket.FormatCloseMessage(act.code, act.reason); len(msg) > 125 || !utf8.ValidString(act.reason) {
			t.Fatalf("the close frame %q cannot be sent", msg)
		}
	})
}
