package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/projections"
)

// choose makes form values as a chooser sends them: a field may come
// several times (a group's checkboxes).
func choose(kv ...string) url.Values {
	v := url.Values{"command_id": {uuid.NewString()}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// within returns the element of the page that begins with start (an
// opening tag, or the start of one) up to its closing tag end.
func within(t *testing.T, page, start, end string) string {
	t.Helper()
	i := strings.Index(page, start)
	if i < 0 {
		t.Fatalf("the page has no %s", start)
	}
	j := strings.Index(page[i:], end)
	if j < 0 {
		t.Fatalf("%s is not closed by %s", start, end)
	}
	return page[i : i+j]
}

// fieldset is a chooser's group on a page, by its id.
func fieldset(t *testing.T, page, id string) string {
	t.Helper()
	return within(t, page, `id="`+id+`"`, "</fieldset>")
}

// TestAManagerKeepsADishsOptions: a manager gives a dish a group of
// choices, names, rules and choices, changes and removes them, all on the
// menu page; every bad field is refused beside it, writing nothing.
func TestAManagerKeepsADishsOptions(t *testing.T) {
	a := withStaff(t)
	m, cook, g := a.guest(), a.guest(), a.guest()
	m.signIn("maria", managerPassword)
	cook.signIn("kai", kitchenPassword)
	const add = "/menu/items/espresso/options/commands/add"
	if rec := cook.post(add, form("group_name", "Sugar", "min", "0", "max", "1")); rec.Code != http.StatusForbidden {
		t.Fatalf("the kitchen added a group of options: %d", rec.Code)
	}
	if rec := g.post(add, form("group_name", "Sugar", "min", "0", "max", "1")); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
		t.Fatalf("a guest added a group of options: %d", rec.Code)
	}
	rec := m.post(add, form("group_name", " Sugar ", "min", "0", "max", "1"))
	if loc := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || loc != "/staff/menu?options=espresso#options-espresso" {
		t.Fatalf("adding a group: %d to %q", rec.Code, loc)
	}
	page := m.follow(rec).Body.String()
	if !strings.Contains(page, `id="options-espresso" open`) || !strings.Contains(page, "Sugar <span class=\"rule\">optional</span>") {
		t.Fatal("the dish's new group is not on the manager's page, unfolded")
	}
	espresso := func() projections.MenuItem {
		t.Helper()
		items, err := projections.Menus{Pool: a.store.Pool()}.Listed(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if it.ItemID == "espresso" {
				return it
			}
		}
		t.Fatal("no espresso")
		return projections.MenuItem{}
	}
	a.caughtUp()
	sugar := espresso().Options[0].ID
	if !strings.HasPrefix(sugar, "sugar-") {
		t.Fatalf("the group's id %q", sugar)
	}
	group := "/menu/items/espresso/options/" + sugar
	m.follow(m.post(group+"/choices/commands/add", form("choice_name", "Brown sugar", "price_change", "+0,20")))
	m.follow(m.post(group+"/choices/commands/add", form("choice_name", "Honey", "price_change", "0.50")))
	m.follow(m.post(group+"/choices/commands/add", form("choice_name", "Less coffee", "price_change", "-0.30")))
	m.follow(m.post(group+"/commands/rename", form("group_name", "Sweetener")))
	page = m.follow(m.post(group+"/commands/set-rules", form("required", "on", "min", "1", "max", "2"))).Body.String()
	for _, want := range []string{"Sweetener <span class=\"rule\">required, choose 1 to 2</span>", "Brown sugar", "+€0.20", "−€0.30"} {
		if !strings.Contains(page, want) {
			t.Errorf("the manager's page lacks %q", want)
		}
	}
	a.caughtUp()
	got := espresso().Options
	if len(got) != 1 || got[0].Name != "Sweetener" || !got[0].Required || got[0].Min != 1 || got[0].Max != 2 || len(got[0].Choices) != 3 ||
		got[0].Choices[0].PriceChange != domain.Cents(20) || got[0].Choices[2].PriceChange != domain.Cents(-30) {
		t.Fatalf("the menu read model has %#v", got)
	}
	honey := got[0].Choices[1].ID
	menu := g.afterOthers("/").Body.String()
	if !strings.Contains(fieldset(t, menu, "opt-espresso-"+sugar), "Honey") {
		t.Fatal("the guests' menu does not offer the new choices")
	}

	rejections := []struct {
		name, path string
		form       []string
		field      string // the input the message is beside
		message    string
	}{
		{"a group without a name", add, []string{"group_name", " ", "min", "0", "max", "1"}, "group_name", "Please give the group a name."},
		{"a group's name the dish has", add, []string{"group_name", "SWEETENER", "min", "0", "max", "1"}, "group_name", "Espresso already has a group called SWEETENER."},
		{"a name too long", add, []string{"group_name", strings.Repeat("n", 41), "min", "0", "max", "1"}, "group_name", "at most 40 characters"},
		{"the least above the most", add, []string{"group_name", "Cups", "min", "3", "max", "2"}, "min", "The minimum cannot be more than the maximum."},
		{"a most of nought", add, []string{"group_name", "Cups", "min", "0", "max", "0"}, "max", "The maximum must be at least 1."},
		{"a most above the most choices", add, []string{"group_name", "Cups", "min", "0", "max", "13"}, "max", "The maximum can be at most 12."},
		{"a required group that asks for none", add, []string{"group_name", "Cups", "required", "on", "min", "0", "max", "1"}, "min", "A required group needs a minimum of at least 1."},
		{"a least that is no number", add, []string{"group_name", "Cups", "min", "one", "max", "1"}, "min", "Enter a whole number, like 1."},
		{"a rename to nothing", group + "/commands/rename", []string{"group_name", ""}, "group_name", "Please give the group a name."},
		{"rules that break", group + "/commands/set-rules", []string{"min", "2", "max", "1"}, "min", "The minimum cannot be more than the maximum."},
		{"a choice the group has", group + "/choices/commands/add", []string{"choice_name", "honey", "price_change", "0"}, "choice_name", "Sweetener already has a choice called honey."},
		{"a price change that is no price", group + "/choices/commands/add", []string{"choice_name", "Syrup", "price_change", "lots"}, "price_change", "like 1.50 or -2"},
		{"a price change past €50", group + "/choices/commands/add", []string{"choice_name", "Gold leaf", "price_change", "50.01"}, "price_change", "at most €50.00 either way"},
		{"a choice without a name", group + "/choices/commands/add", []string{"choice_name", "", "price_change", "1"}, "choice_name", "Please give the choice a name."},
	}
	for _, r := range rejections {
		t.Run(r.name, func(t *testing.T) {
			before := a.events()
			rec := m.post(r.path, form(r.form...))
			body := rec.Body.String()
			if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, r.message) {
				t.Fatalf("%d, want 422 saying %q", rec.Code, r.message)
			}
			// The message follows its field, within the form that was sent.
			f := within(t, body, `action="`+r.path+`"`, "</form>")
			field := within(t, f, `name="`+r.field+`"`, "</label>")
			if !strings.Contains(f[strings.Index(f, field):], r.message) || !strings.Contains(field, `aria-invalid="true"`) {
				t.Fatalf("the message is not beside %s in its form: %s", r.field, f)
			}
			if !strings.Contains(body, `id="options-espresso" open`) {
				t.Fatal("the dish's options are folded away with the message in them")
			}
			raw, _ := json.Marshal(formFields(r.form))
			rec = m.postJSON(r.path, "", string(raw))
			var problem struct {
				Errors []struct{ Field, Detail string }
			}
			if rec.Code != http.StatusUnprocessableEntity || json.Unmarshal(rec.Body.Bytes(), &problem) != nil || len(problem.Errors) == 0 || problem.Errors[0].Field != r.field {
				t.Fatalf("JSON: %d %s", rec.Code, rec.Body)
			}
			if a.events() != before {
				t.Fatal("a refused change wrote events")
			}
		})
	}
	notFound := []string{
		"/menu/items/espresso/options/nothing-here/commands/rename",
		"/menu/items/espresso/options/Not_An_Id/commands/remove",
		group + "/choices/nothing-here/commands/remove",
		group + "/choices/Not_An_Id/commands/remove",
		"/menu/items/lobster/options/commands/add",
	}
	for _, path := range notFound {
		before := a.events()
		if rec := m.post(path, form("group_name", "Cups", "min", "0", "max", "1")); rec.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, rec.Code)
		}
		if a.events() != before {
			t.Errorf("%s wrote events", path)
		}
	}

	m.follow(m.post(group+"/choices/"+honey+"/commands/remove", form()))
	a.caughtUp()
	if got := espresso().Options[0].Choices; len(got) != 2 || got[1].Name != "Less coffee" {
		t.Fatalf("after removing honey: %#v", got)
	}
	m.follow(m.post(group+"/commands/remove", form()))
	a.caughtUp()
	if got := espresso().Options; len(got) != 0 {
		t.Fatalf("after removing the group: %#v", got)
	}
	if rec := m.post(group+"/commands/rename", form("group_name", "Again")); rec.Code != http.StatusNotFound {
		t.Fatalf("renaming a removed group: %d", rec.Code)
	}
}

// formFields are a form's pairs as a JSON object's fields.
func formFields(kv []string) map[string]string {
	out := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// TestAGuestChoosesHowTheDishIsMade: a large margherita with two extras is
// priced by the order, whatever the client says of prices; its choices
// show on the order, change there, reach the kitchen and the history.
func TestAGuestChoosesHowTheDishIsMade(t *testing.T) {
	a := withStaff(t)
	g, m, cook := a.guest(), a.guest(), a.guest()
	m.signIn("maria", managerPassword)
	cook.signIn("kai", kitchenPassword)
	rec := g.post("/orders/commands/open", choose("menu_item_id", "margherita", "quantity", "2", "option-size", "large",
		"option-extras", "olives", "option-extras", "basil", "unit_price", "1", "price", "0.01"))
	page := g.follow(rec).Body.String()
	if !strings.Contains(page, "Added 2 × Margherita, Large, Fresh basil, Olives to your order.") {
		t.Fatal("the menu does not say what was added, with its choices")
	}
	id := strings.TrimPrefix(orderHref(page), "/orders/")
	order := g.order(id)
	l := order.Lines[0]
	// 11.00 + 3.00 + 0.50 + 1.00, twice.
	if l.UnitPrice != domain.Cents(1550) || order.Total != domain.Cents(3100) || len(l.Options) != 3 ||
		l.Options[0].ChoiceName != "Large" || l.Options[1].GroupName != "Extras" || l.Options[2].PriceChange != domain.Cents(100) {
		t.Fatalf("the order has %s, total %s, options %#v", l.UnitPrice, order.Total, l.Options)
	}
	if _, ok := l.Links["change-options"]; !ok {
		t.Fatal("the line's JSON has no change-options link")
	}
	page = g.get("/orders/" + id).Body.String()
	line := within(t, page, `id="line-`+l.LineID+`"`, `class="line-actions"`)
	for _, want := range []string{"Large (+€3.00)", "Fresh basil (+€0.50)", "Olives (+€1.00)", "€31.00"} {
		if !strings.Contains(line, want) {
			t.Errorf("the order's line lacks %q", want)
		}
	}
	// Chosen again on the order page: the form starts with the line's own.
	options := fieldset(t, page, "line-"+l.LineID+"-extras")
	if !regexp.MustCompile(`value="olives"[^>]*checked`).MatchString(options) || regexp.MustCompile(`value="rocket"[^>]*checked`).MatchString(options) {
		t.Fatalf("the line's options form does not start with its choices: %s", options)
	}
	change := "/orders/" + id + "/items/" + l.LineID + "/commands/change-options"
	g.follow(g.post(change, choose("option-size", "small", "option-extras", "rocket")))
	order = g.order(id)
	// 11.00 - 2.00 + 1.00.
	if l := order.Lines[0]; l.UnitPrice != domain.Cents(1000) || order.Total != domain.Cents(2000) || len(l.Options) != 2 || l.Options[1].ChoiceName != "Rocket" {
		t.Fatalf("after choosing again: %s, %#v", order.Total, order.Lines[0].Options)
	}
	before := a.events()
	g.follow(g.post(change, choose("option-size", "small", "option-extras", "rocket")))
	if a.events() != before {
		t.Fatal("choosing the same again wrote events")
	}

	g.follow(g.post("/orders/"+id+"/commands/choose-pickup", form()))
	g.giveContact(id, "Ana", "")
	g.follow(g.post("/orders/"+id+"/commands/place", form()))
	waitForTicket(t, a, id)
	status := g.get("/orders/" + id).Body.String()
	if !strings.Contains(status, "status-placed") || !strings.Contains(status, "Small (−€2.00)") || !strings.Contains(status, "Rocket (+€1.00)") ||
		strings.Contains(status, "/commands/change-options") {
		t.Fatal("the placed order does not show the choices, or still offers to change them")
	}
	kitchen := cook.afterOthers("/kitchen").Body.String()
	ticket := within(t, kitchen, `id="ticket-`+id+`"`, `class="ticket-buttons"`)
	if !strings.Contains(ticket, `<ul class="ticket-options"><li>Small</li><li>Rocket</li></ul>`) {
		t.Fatalf("the kitchen's ticket does not show the choices: %s", ticket)
	}
	history := m.afterOthers("/staff/orders/" + id + "/history").Body.String()
	for _, want := range []string{
		"Added 2 × Margherita, Large (+€3.00), Fresh basil (+€0.50), Olives (+€1.00); €15.50 each",
		"Changed Margherita to Small (−€2.00), Rocket (+€1.00); €10.00 each",
		"2 × Margherita, Small (−€2.00), Rocket (+€1.00)",
	} {
		if !strings.Contains(history, want) {
			t.Errorf("the history lacks %q", want)
		}
	}
	if then := m.get("/staff/orders/" + id + "/history?at=2").Body.String(); !strings.Contains(then, "2 × Margherita, Large (+€3.00), Fresh basil (+€0.50), Olives (+€1.00)") ||
		!strings.Contains(then, `id="history-total">€31.00`) {
		t.Fatal("the history's order at revision 2 does not have the first choices")
	}
}

// TestABadChoiceIsRefusedBesideItsGroup: a required group left out, too
// many or too few, a choice of another group or dish, a choice removed
// meanwhile: 422 naming the group, beside its fieldset, and nothing
// written; as a form, as JSON, on the menu and on the order.
func TestABadChoiceIsRefusedBesideItsGroup(t *testing.T) {
	a := withStaff(t)
	m, g := a.guest(), a.guest()
	m.signIn("maria", managerPassword)
	id := g.openWith("margherita", "1")
	line := g.order(id).Lines[0].LineID
	// Olives are no longer offered, after the guest saw them.
	m.follow(m.post("/menu/items/margherita/options/extras/choices/olives/commands/remove", form()))
	a.caughtUp()

	cases := []struct {
		name    string
		form    []string
		group   string // the fieldset beside which the message shows; "" for the form's top
		message string
	}{
		{"a required group left out", []string{"option-extras", "basil"}, "size", "Size: please choose 1."},
		{"two of a choose-1 group", []string{"option-size", "small", "option-size", "large"}, "size", "Size: please choose at most 1."},
		{"four extras of three", []string{"option-size", "large", "option-extras", "basil", "option-extras", "rocket", "option-extras", "mozzarella", "option-extras", "chilli-oil"},
			"extras", "Extras: please choose at most 3."},
		{"a choice of another group", []string{"option-size", "basil"}, "size", "Size: one of your choices is not offered (any more); please choose again."},
		{"a choice of another dish", []string{"option-size", "jug"}, "size", "Size: one of your choices is not offered"},
		{"a group of another dish", []string{"option-size", "large", "option-crust", "thin"}, "", "Some of your choices are not offered with this dish; please choose again."},
		{"a choice removed meanwhile", []string{"option-size", "large", "option-extras", "olives"}, "extras", "Extras: one of your choices is not offered (any more)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, where := range []struct {
				name, path, key string
				fields          []string
			}{
				{"opening from the menu", "/orders/commands/open", "opt-margherita", []string{"menu_item_id", "margherita", "quantity", "1"}},
				{"adding from the menu", "/orders/" + id + "/items/commands/add", "opt-margherita", []string{"menu_item_id", "margherita", "quantity", "1"}},
				{"on the order", "/orders/" + id + "/items/" + line + "/commands/change-options", "line-" + line, nil},
			} {
				before := a.events()
				rec := g.post(where.path, choose(append(where.fields, tc.form...)...))
				body := rec.Body.String()
				if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, tc.message) {
					t.Fatalf("%s: %d, want 422 saying %q", where.name, rec.Code, tc.message)
				}
				if tc.group != "" {
					if f := fieldset(t, body, where.key+"-"+tc.group); !strings.Contains(f, tc.message) || !strings.Contains(body, `class="options invalid" id="`+where.key+"-"+tc.group+`"`) {
						t.Fatalf("%s: the message is not in the group's fieldset: %s", where.name, f)
					}
				}
				// The guest's choices are kept as sent.
				if tc.form[0] == "option-size" && tc.form[1] == "large" && !regexp.MustCompile(`value="large"[^>]*checked`).MatchString(fieldset(t, body, where.key+"-size")) {
					t.Fatalf("%s: the form forgot the guest's size", where.name)
				}
				raw, _ := json.Marshal(jsonChoices(append(where.fields, tc.form...)))
				rec = g.postJSON(where.path, "", string(raw))
				var problem struct {
					Errors []struct{ Field, Detail string }
				}
				field := "options"
				if tc.group != "" {
					field = "option-" + tc.group
				}
				if rec.Code != http.StatusUnprocessableEntity || json.Unmarshal(rec.Body.Bytes(), &problem) != nil ||
					len(problem.Errors) != 1 || problem.Errors[0].Field != field || !strings.Contains(problem.Errors[0].Detail, tc.message) {
					t.Fatalf("%s as JSON: %d %s", where.name, rec.Code, rec.Body)
				}
				if a.events() != before {
					t.Fatalf("%s: a refused choice wrote events", where.name)
				}
			}
		})
	}
	// JSON takes a group's choices as an array, and refuses other shapes.
	rec := g.postJSON("/orders/"+id+"/items/commands/add", "", `{"menu_item_id":"margherita","quantity":1,"option-size":"large","option-extras":["basil","rocket"]}`)
	if rec.Code != http.StatusAccepted || len(g.order(id).Lines) != 2 || g.order(id).Lines[1].UnitPrice != domain.Cents(1550) {
		t.Fatalf("choices as a JSON array: %d %s", rec.Code, rec.Body)
	}
	before := a.events()
	for _, body := range []string{`{"menu_item_id":"margherita","option-size":{"id":"large"}}`, `{"menu_item_id":"margherita","option-size":[["large"]]}`} {
		if rec := g.postJSON("/orders/"+id+"/items/commands/add", "", body); rec.Code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", body, rec.Code)
		}
	}
	// Someone else's order is not found, choices or not.
	if rec := a.guest().post("/orders/"+id+"/items/"+line+"/commands/change-options", choose("option-size", "large")); rec.Code != http.StatusNotFound {
		t.Errorf("a stranger chose again on the order: %d", rec.Code)
	}
	if a.events() != before {
		t.Fatal("refused requests wrote events")
	}
	// A dish sold out meanwhile takes no new choices, and its line offers
	// none.
	m.follow(m.post("/menu/items/margherita/commands/sold-out", form()))
	a.caughtUp()
	before = a.events()
	rec = g.post("/orders/"+id+"/items/"+line+"/commands/change-options", choose("option-size", "small"))
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "Sorry, Margherita is sold out; its choices can no longer be changed.") {
		t.Fatalf("choosing again on a sold-out dish: %d", rec.Code)
	}
	if strings.Contains(g.get("/orders/"+id).Body.String(), "/commands/change-options") {
		t.Fatal("the order still offers to choose again on a sold-out dish")
	}
	if a.events() != before {
		t.Fatal("choosing again on a sold-out dish wrote events")
	}
}

// jsonChoices are a chooser's pairs as a JSON object: a field sent twice
// becomes an array.
func jsonChoices(kv []string) map[string]any {
	out := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		switch v := out[kv[i]].(type) {
		case nil:
			out[kv[i]] = kv[i+1]
		case string:
			out[kv[i]] = []string{v, kv[i+1]}
		case []string:
			out[kv[i]] = append(v, kv[i+1])
		}
	}
	return out
}

// TestOrderingAgainChoosesTheSame: an order of a dish with choices comes
// back with the same choices at today's prices, or without the dish when
// its choices are no longer offered.
func TestOrderingAgainChoosesTheSame(t *testing.T) {
	a := withStaff(t)
	g, m := a.signedUp("ana@example.com"), a.guest()
	m.signIn("maria", managerPassword)
	first := strings.TrimPrefix(orderHref(g.follow(g.post("/orders/commands/open",
		choose("menu_item_id", "margherita", "quantity", "1", "option-size", "large", "option-extras", "olives"))).Body.String()), "/orders/")
	g.follow(g.post("/orders/"+first+"/items/commands/add", choose("menu_item_id", "lemonade", "quantity", "2", "option-size", "jug")))
	again := func() orderDoc {
		t.Helper()
		rec := g.post("/account/orders/"+first+"/commands/order-again", form())
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("order again: %d %s", rec.Code, rec.Body)
		}
		return g.order(strings.TrimPrefix(strings.Split(rec.Header().Get("Location"), "?")[0], "/orders/"))
	}
	o := again()
	if len(o.Lines) != 2 || o.Lines[0].UnitPrice != domain.Cents(1500) || len(o.Lines[0].Options) != 2 || o.Lines[1].UnitPrice != domain.Cents(1050) {
		t.Fatalf("ordered again: %#v", o.Lines)
	}
	m.follow(m.post("/menu/items/margherita/options/extras/choices/olives/commands/remove", form()))
	a.caughtUp()
	rec := g.post("/account/orders/"+first+"/commands/order-again", form())
	if page := g.follow(rec).Body.String(); !strings.Contains(page, "Left out: Margherita, Large, Olives (its choices have changed).") {
		t.Fatal("ordering again does not say the dish was left out for its choices")
	}
}
