package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/google/uuid"

	"restaurant/domain/menu"
	"restaurant/domain/ordering"
	"restaurant/projections"
	"restaurant/views"
)

// showMenu is the front page: the menu by category, or the menu as JSON
// for a client that asks for it (see showMenuJSON).
func (d Deps) showMenu(w http.ResponseWriter, r *http.Request) {
	// One address, two forms: a cache on the way keeps them apart.
	w.Header().Add("Vary", "Accept")
	if acceptsJSON(r) {
		d.showMenuJSON(w, r)
		return
	}
	// The guest's order, in the header, and a manager's change to the menu.
	wrote := d.waitFor(r, append([]string{"orders"}, menuReadModels...)...)
	guest, _ := orderer(r)
	if guest == "" && !wrote && len(r.URL.Query()) == 0 && d.cachedAnonymousMenu(w, r) {
		return
	}
	d.renderMenu(w, r, http.StatusOK, guest, nil, wrote)
}

// menuReadModels are what the menu shows: the dishes, their portions, and
// whether online orders are taken.
var menuReadModels = []string{"menu", "portions", "settings"}

// popularAt is how often a dish must have been ordered to be called a
// favourite.
const popularAt = 3

// renderMenu renders the menu; fresh reads it from the read model, not the
// copy kept in memory for a moment (for whoever just wrote, or failed to).
func (d Deps) renderMenu(w http.ResponseWriter, r *http.Request, status int, guest string, fe *views.FormError, fresh bool) {
	ctx, cancel := withTimeout(r, 5*time.Second)
	defer cancel()
	v, err := d.menuView(ctx, guest, fe, fresh || fe != nil, menuFilter(r.URL.Query()))
	if err != nil {
		fail(w, r, err)
		return
	}
	if added := r.URL.Query().Get("added"); added != "" && v.Nav.OrderOpen && fe == nil {
		if o, err := d.Orders.Get(ctx, v.Nav.OrderHref[len("/orders/"):]); err == nil {
			for _, l := range o.Lines {
				if l.LineID == added {
					v.Flash = fmt.Sprintf("Added %d × %s to your order.", l.Quantity, dishTitle(l.Name, l.Options))
					v.FlashItem = l.MenuItemID
				}
			}
		}
	}
	if r.URL.Query().Get("erased") == "1" && fe == nil && signedInID(ctx) == "" {
		v.Flash = "Your account was erased: your name, email, phone and addresses are forgotten."
	}
	if guest == "" && !fresh && status == http.StatusOK && fe == nil && v.Flash == "" && !v.Filter.Active() {
		d.storeAnonymousMenu(w, r, v)
		return
	}
	render(w, r, status, views.MenuPage(v))
}

// menuView is the menu for a guest, for the page and its pushes alike,
// filtered as the guest asked; fresh reads the read model rather than the
// copy kept for a moment.
func (d Deps) menuView(ctx context.Context, guest string, fe *views.FormError, fresh bool, filter views.MenuFilter) (views.MenuView, error) {
	items, err := d.listed(ctx, fresh)
	if err != nil {
		return views.MenuView{}, err
	}
	ordering, _, err := d.orderingShown(ctx)
	if err != nil {
		return views.MenuView{}, err
	}
	v := views.MenuView{Nav: d.nav(ctx, guest), AddAction: "/orders/commands/open", Error: fe, CommandID: commandIDs(),
		Filter: filter, Total: len(items), Ordering: ordering}
	if fe != nil && fe.Field == "menu_item_id" {
		// The dish's own form may not be on the page (sold out, unknown):
		// say it at the top.
		fe.Form = "menu"
	}
	if v.Nav.OrderOpen {
		v.AddAction = v.Nav.OrderHref + "/items/commands/add"
	}
	if filter.Active() {
		// The guest comes back to the menu filtered as it was.
		v.AddAction += "?" + filter.Query().Encode()
	}
	for _, sec := range menuSections(items, filter) {
		c := views.CategoryView{ID: sec.id, Name: sec.name}
		for _, it := range sec.items {
			item := views.MenuItemView{
				ID: it.ItemID, Name: it.Name, Description: it.Description, Price: it.Price.String(), Cents: it.Price.Amount,
				SoldOut: it.SoldOut || it.NoneLeft(), Popular: it.TimesAdded >= popularAt,
				Allergens: it.Allergens, Diets: it.Diets, AllergensUnlisted: it.AllergensUnlisted, Photo: it.Photo,
				Groups: optionViews(dishOptions(it), usualChoice),
			}
			if it.Limited {
				item.Left = fmt.Sprintf("%d left", it.PortionsLeft)
			}
			c.Items = append(c.Items, item)
		}
		v.Shown += len(sec.items)
		v.Categories = append(v.Categories, c)
	}
	return v, nil
}

// menuSection is one section of the guests' menu: a category, or the
// dishes under none, with its dishes that pass the guest's filter.
type menuSection struct {
	id, name string
	items    []projections.MenuItem
}

// menuSections are the dishes that pass the guest's filter, by category in
// the managers' order, for the page and the JSON alike. A section without
// a dish that passes is left out.
func menuSections(items []projections.MenuItem, filter views.MenuFilter) []menuSection {
	var out []menuSection
	for _, it := range items {
		if !suits(it, filter) {
			continue
		}
		// Listed by category in the managers' order: a new section starts
		// where the category changes.
		if len(out) == 0 || out[len(out)-1].id != sectionOf(it) {
			name := it.CategoryName
			if name == "" {
				name = "More dishes"
			}
			out = append(out, menuSection{id: sectionOf(it), name: name})
		}
		out[len(out)-1].items = append(out[len(out)-1].items, it)
	}
	return out
}

// sectionOf is the id of the menu's section a dish is listed in: its
// category's, or one of its own for dishes under no category on the list.
func sectionOf(it projections.MenuItem) string {
	if it.CategoryName == "" {
		return "unfiled"
	}
	return it.CategoryID
}

// menuFilter reads the guest's filter from the menu's address, each word
// once; words it does not know filter nothing.
func menuFilter(q url.Values) views.MenuFilter {
	var f views.MenuFilter
	for _, a := range menu.Allergens() {
		if slices.Contains(q[views.WithoutParam], string(a)) {
			f.Without = append(f.Without, a)
		}
	}
	for _, d := range menu.Diets() {
		if slices.Contains(q[views.DietParam], string(d)) {
			f.Diets = append(f.Diets, d)
		}
	}
	return f
}

// suits says whether a dish passes the guest's filter: free of every
// allergen it excludes (so its allergens must be listed), and suiting
// every diet it asks for.
func suits(it projections.MenuItem, f views.MenuFilter) bool {
	if !menu.Free(it.Allergens, !it.AllergensUnlisted, f.Without...) {
		return false
	}
	for _, d := range f.Diets {
		if !d.SuitedBy(it.Diets) {
			return false
		}
	}
	return true
}

// backToDish sends a guest who added a dish from the menu back to it, on
// the menu filtered as it was, saying what was added.
func backToDish(w http.ResponseWriter, r *http.Request, dish, line string) {
	q := menuFilter(r.URL.Query()).Query()
	q.Set("added", line)
	redirectAfter(w, r, "/#item-"+dish, q)
}

// openOrder opens an order for the guest, and adds the dish when the form
// came from the menu. The add is checked before anything is written, so a
// bad quantity opens no empty order.
func (d Deps) openOrder(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := withTimeout(r, 10*time.Second)
	defer cancel()
	in, err := readInput(w, r)
	if err != nil {
		fail(w, r, err)
		return
	}
	guest := ensureGuest(w, r)
	if erased, err := d.Store.Erased(ctx, guest); err != nil {
		fail(w, r, err)
		return
	} else if erased {
		// The guest went with an erased account (a manager erased it on
		// request): this browser orders afresh, as a new guest.
		guest = newGuest(w, r)
	}
	if id := signedInID(r.Context()); id != "" {
		guest = id // a signed-in customer's orders are theirs (see orderer)
	}
	openID := in.commandID(guest)
	orderID := uuid.NewSHA1(openID, []byte("order")).String()
	open, err := d.openOrderCommand(ctx, orderID, guest)
	if err != nil {
		d.openFailed(w, r, in, guest, err)
		return
	}
	// Decide against the order as it will be, without writing: a closed
	// restaurant or a bad dish opens no empty order.
	opened, err := ordering.Decide(ordering.State{}, open)
	if err != nil {
		d.openFailed(w, r, in, guest, err)
		return
	}
	var add *ordering.AddItem
	if in.values["menu_item_id"] != "" {
		addID := uuid.NewSHA1(openID, []byte("add-item"))
		cmd, err := d.addItemCommand(ctx, in, addID)
		if err == nil {
			state := ordering.State{}
			for _, e := range opened {
				state = ordering.Evolve(state, e)
			}
			_, err = ordering.Decide(state, d.capped(cmd))
		}
		if err != nil {
			d.openFailed(w, r, in, guest, err)
			return
		}
		add = &cmd
	}
	giveBack, err := d.takeOrderQuota(ctx, r, guest, opening, openID)
	if err != nil {
		d.openFailed(w, r, in, guest, err)
		return
	}
	res, err := d.runOrderCommand(ctx, orderID, guest, openID, in.request, open)
	if wroteNothing(err, res.Duplicate, len(res.Events)) {
		giveBack()
	}
	if err == nil && add != nil {
		res, err = d.runOrderCommand(ctx, orderID, guest, uuid.NewSHA1(openID, []byte("add-item")), in.request, *add)
	}
	if err != nil {
		d.openFailed(w, r, in, guest, err)
		return
	}
	href := "/orders/" + orderID
	if in.json {
		w.Header().Set("Location", href)
		accepted(w, http.StatusCreated, res, map[string]any{"order_id": orderID, "_links": map[string]link{
			"order": {Href: href}, "commands": {Href: href + "/commands"},
		}})
		return
	}
	if add != nil {
		backToDish(w, r, add.MenuItemID, add.LineID)
		return
	}
	redirectAfter(w, r, href, nil)
}

// openOrderCommand opens an order at this moment, as the restaurant's
// hours and a pause allow.
func (d Deps) openOrderCommand(ctx context.Context, orderID, customerID string) (ordering.OpenOrder, error) {
	o, err := d.orderingNow(ctx)
	return ordering.OpenOrder{OrderID: orderID, CustomerID: customerID, At: d.Now().UTC(), Closed: o.Reason, Paused: o.Paused, Opens: o.Opens}, err
}

func (d Deps) openFailed(w http.ResponseWriter, r *http.Request, in input, guest string, err error) {
	commandFailed(w, r, in, err, func(status int) {
		form := "add-" + in.values["menu_item_id"]
		if in.values["menu_item_id"] == "" {
			form = "menu" // no dish's form to show it by: the top of the menu
		}
		d.renderMenu(w, r, status, guest, formError(r, form, in, err), true)
	})
}
