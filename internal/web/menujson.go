package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"time"

	"restaurant/domain"
	"restaurant/domain/menu"
	"restaurant/domain/ordering"
	"restaurant/domain/settings"
	"restaurant/internal/photos"
	"restaurant/projections"
	"restaurant/views"
)

// showMenuJSON is the menu as a read-only JSON resource: what the front
// page shows, filtered the same way, with links to the commands valid now.
// Prices are as the menu stores them; a client never works one out.
func (d Deps) showMenuJSON(w http.ResponseWriter, r *http.Request) {
	wrote := d.waitFor(r, append([]string{"orders"}, menuReadModels...)...)
	ctx, cancel := withTimeout(r, 5*time.Second)
	defer cancel()
	guest, _ := orderer(r)
	doc, err := d.menuJSON(ctx, guest, menuFilter(r.URL.Query()), wrote)
	if err != nil {
		writeProblem(w, r, err) // JSON, whatever the client accepts
		return
	}
	writeJSON(w, http.StatusOK, "application/json", doc)
}

// The JSON form of the menu: the resource and its hypermedia controls.

type menuDoc struct {
	Currency   string          `json:"currency"`
	Ordering   orderingDoc     `json:"ordering"`
	Filter     menuFilterDoc   `json:"filter"`
	Categories []categoryDoc   `json:"categories"`
	Links      map[string]link `json:"_links"`
}

type orderingDoc struct {
	Open        bool       `json:"open"`
	Message     string     `json:"message,omitempty"`
	Paused      bool       `json:"paused"`
	PausedUntil *time.Time `json:"paused_until,omitempty"`
	OpensAt     *time.Time `json:"opens_at,omitempty"`
	// ForLater says that, while no order is taken now, orders for later
	// are: an order is opened and filled, and placed for a time within
	// the hours.
	ForLater bool `json:"for_later"`
}

// menuFilterDoc is what the menu is filtered by: the words of the address
// it knows, named as its parameters are.
type menuFilterDoc struct {
	Without []menu.Allergen `json:"without"`
	Diet    []menu.Diet     `json:"diet"`
}

type categoryDoc struct {
	ID     string    `json:"id"`
	Name   string    `json:"name"`
	Dishes []dishDoc `json:"dishes"`
}

type dishDoc struct {
	ID              string          `json:"id"`
	Name            string          `json:"name"`
	Description     string          `json:"description"`
	Price           domain.Money    `json:"price"`
	Allergens       []menu.Allergen `json:"allergens"`
	AllergensListed bool            `json:"allergens_listed"`
	Diets           []menu.Diet     `json:"diets"`
	Options         []optionDoc     `json:"options"`
	// Photo is the dish's photo by its size in pixels ("96", "192").
	Photo map[string]string `json:"photo,omitempty"`
	// Available says a guest may add the dish now: it is not sold out and
	// online orders are taken.
	Available    bool            `json:"available"`
	SoldOut      bool            `json:"sold_out"`
	PortionsLeft *int            `json:"portions_left,omitempty"`
	Links        map[string]link `json:"_links"`
}

type optionDoc struct {
	ID string `json:"id"`
	// Field is the field of the add commands that takes the group's
	// choices.
	Field    string      `json:"field"`
	Name     string      `json:"name"`
	Required bool        `json:"required"`
	Min      int         `json:"min"`
	Max      int         `json:"max"`
	Choices  []choiceDoc `json:"choices"`
}

type choiceDoc struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	PriceChange domain.Money `json:"price_change"`
}

// menuJSON is the menu for a guest as JSON, filtered as asked; fresh reads
// the read model rather than the copy kept for a moment.
func (d Deps) menuJSON(ctx context.Context, guest string, filter views.MenuFilter, fresh bool) (menuDoc, error) {
	items, err := d.listed(ctx, fresh)
	if err != nil {
		return menuDoc{}, err
	}
	o, _, err := d.orderingRead(ctx)
	if err != nil {
		return menuDoc{}, err
	}
	nav := d.nav(ctx, guest)
	query := ""
	if filter.Active() {
		query = "?" + filter.Query().Encode()
	}
	doc := menuDoc{Currency: domain.EUR, Ordering: d.orderingJSON(o), Categories: []categoryDoc{},
		Filter: menuFilterDoc{Without: nonNil(filter.Without), Diet: nonNil(filter.Diets)},
		Links:  map[string]link{"self": {Href: "/menu" + query}, "html": {Href: "/" + query}}}
	// The commands are offered only while online orders are taken, as the
	// page offers its add forms.
	var adds map[string]string
	if o.Open || d.forLater(o) {
		adds = map[string]string{"add": "/orders/commands/open"}
		doc.Links["open-order"] = link{Href: "/orders/commands/open", Method: http.MethodPost,
			Fields: slices.Concat(addItemFields, []string{optionFieldTemplate})}
	}
	if nav.OrderOpen {
		doc.Links["order"] = link{Href: nav.OrderHref}
		if adds != nil {
			adds[string(ordering.CmdAddItem)] = nav.OrderHref + "/items/commands/add"
		}
	}
	for _, sec := range menuSections(items, filter) {
		c := categoryDoc{ID: sec.id, Name: sec.name, Dishes: []dishDoc{}}
		for _, it := range sec.items {
			c.Dishes = append(c.Dishes, dishJSON(it, adds))
		}
		doc.Categories = append(doc.Categories, c)
	}
	return doc, nil
}

// orderingJSON says whether online orders are taken now and, when not,
// why and when they are again, in the restaurant's time zone.
func (d Deps) orderingJSON(o settings.Ordering) orderingDoc {
	doc := orderingDoc{Open: o.Open, Message: o.Reason, Paused: o.Paused, ForLater: d.forLater(o)}
	if o.Paused && !o.PausedUntil.IsZero() {
		until := o.PausedUntil.In(d.Location)
		doc.PausedUntil = &until
	}
	if !o.Opens.IsZero() {
		opens := o.Opens.In(d.Location)
		doc.OpensAt = &opens
	}
	return doc
}

// dishJSON is one dish of the menu as JSON; adds are the commands that add
// a dish, by the name of their link, while the dish can be added at all.
func dishJSON(it projections.MenuItem, adds map[string]string) dishDoc {
	soldOut := it.SoldOut || it.NoneLeft()
	dish := dishDoc{ID: it.ItemID, Name: it.Name, Description: it.Description, Price: it.Price,
		Allergens: nonNil(it.Allergens), AllergensListed: !it.AllergensUnlisted, Diets: nonNil(it.Diets),
		Options: []optionDoc{}, Available: !soldOut && len(adds) > 0, SoldOut: soldOut, Links: map[string]link{}}
	fields := slices.Clone(addItemFields)
	for _, g := range it.Options {
		od := optionDoc{ID: g.ID, Field: ordering.OptionField(g.ID), Name: g.Name, Required: g.Required, Min: g.Min, Max: g.Max, Choices: []choiceDoc{}}
		for _, c := range g.Choices {
			od.Choices = append(od.Choices, choiceDoc{ID: c.ID, Name: c.Name, PriceChange: c.PriceChange})
		}
		dish.Options = append(dish.Options, od)
		fields = append(fields, od.Field)
	}
	if it.Photo != "" {
		dish.Photo = map[string]string{}
		for _, size := range photos.Sizes {
			dish.Photo[strconv.Itoa(size)] = views.PhotoURL(it.Photo, size)
		}
	}
	if it.Limited {
		left := max(it.PortionsLeft, 0)
		dish.PortionsLeft = &left
	}
	if dish.Available {
		for name, href := range adds {
			dish.Links[name] = link{Href: href, Method: http.MethodPost, Fields: fields}
		}
	}
	return dish
}

// nonNil is a list as JSON shows it: empty, never null.
func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}
