// Package menu is the decider for one menu item: what the kitchen offers, at
// what price, and whether it can be ordered right now. It is pure: state is
// rebuilt by folding events with Evolve, and Decide turns a command into new
// events or a rejection a cook can read.
package menu

import (
	"slices"
	"strings"
	"unicode/utf8"

	"restaurant/domain"
)

// Limits on menu item fields, exported so that forms can show them.
const (
	MaxNameLength = 80
	// MaxCategoryLength bounds a category's name.
	MaxCategoryLength    = 40
	MaxDescriptionLength = 300
	// MaxPrice is the highest price in cents (€1000.00); anything above is
	// almost certainly a typo that would overcharge a guest.
	MaxPrice = 100000
)

// State is a menu item as its history makes it. The zero value is an item that
// was never added.
type State struct {
	ItemID      string
	Name        string
	Description string
	CategoryID  string
	Price       domain.Money
	Allergens   []Allergen
	Diets       []Diet
	// AllergensUnlisted: the dish was stored before dishes listed their
	// allergens, and no manager has listed them since.
	AllergensUnlisted bool
	Exists            bool   // an item was added, even if removed since
	Removed           bool   // taken off the menu for good
	SoldOut           bool   // temporarily unavailable
	Photo             string // the photo's id, "" for none
	// PrepTime is the minutes the dish takes to make, 0 when never set
	// (see PrepMinutes).
	PrepTime int
	// Options are the groups of choices a guest makes about the dish, in
	// the order they were added. Evolve never changes them in place.
	Options []OptionGroup
}

// Orderable reports whether guests may put the item in an order now, so that
// the ordering side and the menu page agree on one rule.
func (s State) Orderable() bool { return s.Exists && !s.Removed && !s.SoldOut }

// Command is a request to change a menu item. It is sealed so that Decide can
// handle every kind of command.
type Command interface{ command() }

// AddMenuItem puts a new item on the menu. ItemID is chosen by the caller so
// that this package stays free of randomness. Categories is the list of
// categories as it is, which the caller reads under the Catalogue's lock
// (see Filed): the dish's category must be on it.
type AddMenuItem struct {
	ItemID      string
	Name        string
	Description string
	CategoryID  string
	Price       domain.Money
	Allergens   []Allergen
	Diets       []Diet
	Categories  Categories
}

// ModifyMenuItem replaces the name, description, category, price,
// allergens and diets of an item; omitted fields are cleared, not kept, so
// the form is the truth. Categories is as for AddMenuItem.
type ModifyMenuItem struct {
	Name        string
	Description string
	CategoryID  string
	Price       domain.Money
	Allergens   []Allergen
	Diets       []Diet
	Categories  Categories
}

// Filed gives a command that files a dish the list of categories it is
// decided against, and leaves any other command as it is.
func Filed(c Command, categories Categories) Command {
	switch c := c.(type) {
	case AddMenuItem:
		c.Categories = categories
		return c
	case ModifyMenuItem:
		c.Categories = categories
		return c
	}
	return c
}

// RemoveMenuItem takes an item off the menu for good.
type RemoveMenuItem struct{}

// MarkSoldOut makes an item temporarily unavailable.
type MarkSoldOut struct{}

// MarkBackInStock makes a sold-out item available again.
type MarkBackInStock struct{}

func (AddMenuItem) command()     {}
func (ModifyMenuItem) command()  {}
func (RemoveMenuItem) command()  {}
func (MarkSoldOut) command()     {}
func (MarkBackInStock) command() {}

// Evolve applies one event to a state. It is the only place where state
// changes; events of other types leave the state as it was.
func Evolve(s State, e domain.Event) State {
	switch e := e.(type) {
	case MenuItemAdded:
		return State{
			ItemID:            e.ItemID,
			Name:              e.Name,
			Description:       e.Description,
			CategoryID:        e.CategoryID,
			Price:             e.Price,
			Allergens:         e.Allergens,
			Diets:             e.Diets,
			AllergensUnlisted: e.AllergensUnlisted,
			Exists:            true,
		}
	case MenuItemModified:
		s.Name = e.Name
		s.Description = e.Description
		s.CategoryID = e.CategoryID
		s.Price = e.Price
		s.Allergens = e.Allergens
		s.Diets = e.Diets
		s.AllergensUnlisted = e.AllergensUnlisted
	case MenuItemRemoved:
		s.Removed = true
	case MenuItemSoldOut:
		s.SoldOut = true
	case MenuItemBackInStock:
		s.SoldOut = false
	case MenuItemPhotoChanged:
		s.Photo = e.PhotoID
	case MenuItemPhotoRemoved:
		s.Photo = ""
	case MenuItemPrepTimeSet:
		s.PrepTime = e.Minutes
	case OptionGroupAdded, OptionGroupRenamed, OptionGroupRulesSet, OptionGroupRemoved, OptionChoiceAdded, OptionChoiceRemoved:
		s = evolveOptions(s, e)
	}
	return s
}

// Decide checks a command against the current state and returns the events it
// causes, or a *domain.Error explaining why it cannot happen. Repeating a
// command whose effect is already in place decides no events, so that a
// double-clicked button is harmless.
func Decide(s State, c Command) ([]domain.Event, error) {
	if add, ok := c.(AddMenuItem); ok {
		return decideAdd(s, add)
	}
	if !s.Exists {
		return nil, domain.NotFound("There is no such menu item.")
	}
	if s.Removed {
		return nil, domain.Conflict("This item was removed from the menu.")
	}
	switch c := c.(type) {
	case ModifyMenuItem:
		d, err := validate(details{c.Name, c.Description, c.CategoryID, c.Price, labelling{c.Allergens, c.Diets}}, c.Categories)
		if err != nil {
			return nil, err
		}
		if !s.AllergensUnlisted && d.same(details{s.Name, s.Description, s.CategoryID, s.Price, labelling{s.Allergens, s.Diets}}) {
			return nil, nil
		}
		return []domain.Event{MenuItemModified{
			ItemID:      s.ItemID,
			Name:        d.name,
			Description: d.description,
			CategoryID:  d.categoryID,
			Price:       d.price,
			Allergens:   d.allergens,
			Diets:       d.diets,
		}}, nil
	case RemoveMenuItem:
		return []domain.Event{MenuItemRemoved{ItemID: s.ItemID}}, nil
	case MarkSoldOut:
		if s.SoldOut {
			return nil, nil
		}
		return []domain.Event{MenuItemSoldOut{ItemID: s.ItemID}}, nil
	case MarkBackInStock:
		if !s.SoldOut {
			return nil, nil
		}
		return []domain.Event{MenuItemBackInStock{ItemID: s.ItemID}}, nil
	case ChangePhoto, RemovePhoto:
		return decidePhoto(s, c)
	case SetPrepTime:
		return decidePrepTime(s, c)
	}
	return decideOptions(s, c)
}

func decideAdd(s State, c AddMenuItem) ([]domain.Event, error) {
	if strings.TrimSpace(c.ItemID) == "" {
		return nil, domain.Invalid("menu_item_id", "The menu item needs an id.")
	}
	if s.Exists {
		return nil, domain.Conflict("This item is already on the menu.")
	}
	d, err := validate(details{c.Name, c.Description, c.CategoryID, c.Price, labelling{c.Allergens, c.Diets}}, c.Categories)
	if err != nil {
		return nil, err
	}
	return []domain.Event{MenuItemAdded{
		ItemID:      c.ItemID,
		Name:        d.name,
		Description: d.description,
		CategoryID:  d.categoryID,
		Price:       d.price,
		Allergens:   d.allergens,
		Diets:       d.diets,
	}}, nil
}

// details are the editable fields of an item, shared by add and modify.
type details struct {
	name, description, categoryID string
	price                         domain.Money
	labelling
}

// same says whether two dishes' details are alike.
func (d details) same(o details) bool {
	return d.name == o.name && d.description == o.description && d.categoryID == o.categoryID && d.price == o.price &&
		slices.Equal(d.allergens, o.allergens) && slices.Equal(d.diets, o.diets)
}

// validate trims the text fields and checks every rule, returning the
// trimmed details or the first rule broken, in form order.
func validate(d details, categories Categories) (details, error) {
	d.name = strings.TrimSpace(d.name)
	d.description = strings.TrimSpace(d.description)
	_, filed := categories.Find(d.categoryID)
	switch {
	case d.name == "":
		return d, domain.Invalid("name", "Please give the item a name.")
	case utf8.RuneCountInString(d.name) > MaxNameLength:
		return d, domain.Invalid("name", "The name can be at most %d characters long.", MaxNameLength)
	case utf8.RuneCountInString(d.description) > MaxDescriptionLength:
		return d, domain.Invalid("description", "The description can be at most %d characters long.", MaxDescriptionLength)
	case d.categoryID == "":
		return d, domain.Invalid("category_id", "Please choose a category for the item.")
	case !filed:
		return d, domain.Invalid("category_id", "That category is not on the menu (any more): please choose one from the list.")
	case d.price.Amount <= 0:
		return d, domain.Invalid("price", "The price must be more than zero.")
	case d.price.Amount > MaxPrice:
		return d, domain.Invalid("price", "The price can be at most %s.", domain.Cents(MaxPrice))
	case d.price.Currency != domain.EUR:
		return d, domain.Invalid("price", "The price must be in euros.")
	}
	l, err := checkLabelling(d.allergens, d.diets)
	d.labelling = l
	return d, err
}

// Slug makes a readable id fragment from a name: lowercase letters and
// digits, dashes between words, at most 40 characters.
func Slug(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if b.Len() >= 40 {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}
