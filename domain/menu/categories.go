package menu

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"restaurant/domain"
)

// Category is one section of the menu, as managers order them.
type Category struct {
	ID   string
	Name string
	// Dishes is how many dishes on the menu (not removed) are filed under it.
	Dishes int
}

// Categories is the menu's list of categories as the catalogue's facts make
// it: the categories' own events and every dish's filing, in the log's
// order. A dish stored before categories were managed implies the category
// it names: it is on the list from that dish on, at the end, until a
// manager removes it. The zero value is an empty list.
type Categories struct {
	list   []Category
	filing map[string]string // a dish on the menu -> its category
}

// List is every category, in the managers' order.
func (c Categories) List() []Category { return slices.Clone(c.list) }

// Find returns a category by id.
func (c Categories) Find(id string) (Category, bool) {
	if i := c.index(id); i >= 0 {
		return c.list[i], true
	}
	return Category{}, false
}

func (c Categories) index(id string) int {
	return slices.IndexFunc(c.list, func(cat Category) bool { return cat.ID == id })
}

// named finds the category whose name is name, in any case, but except.
func (c Categories) named(name, except string) (Category, bool) {
	key := nameKey(name)
	i := slices.IndexFunc(c.list, func(cat Category) bool { return cat.ID != except && nameKey(cat.Name) == key })
	if i < 0 {
		return Category{}, false
	}
	return c.list[i], true
}

// CategoryCommand is a request to change the list of categories. It is
// sealed so that DecideCategory can handle every kind.
type CategoryCommand interface{ categoryCommand() }

// AddCategory puts a new category at the end of the list; the caller
// chooses its id, so this package stays free of randomness.
type AddCategory struct {
	CategoryID string
	Name       string
}

// RenameCategory gives a category another name.
type RenameCategory struct {
	CategoryID string
	Name       string
}

// MoveCategory puts a category at Position (1 is first) or, when By is not
// zero, By places further down the list (-1: one up). A move past either
// end stops there.
type MoveCategory struct {
	CategoryID string
	Position   int
	By         int
}

// RemoveCategory takes an empty category off the list.
type RemoveCategory struct {
	CategoryID string
}

func (AddCategory) categoryCommand()    {}
func (RenameCategory) categoryCommand() {}
func (MoveCategory) categoryCommand()   {}
func (RemoveCategory) categoryCommand() {}

// EvolveCategories applies one of the catalogue's facts to the list; other
// events leave it as it was. It never changes the list it is given.
func EvolveCategories(c Categories, e domain.Event) Categories {
	switch e := e.(type) {
	case CategoryAdded:
		c.list = append(slices.Clip(c.list), Category{ID: e.CategoryID, Name: e.Name})
	case CategoryRenamed:
		if i := c.index(e.CategoryID); i >= 0 {
			c.list = slices.Clone(c.list)
			c.list[i].Name = e.Name
		}
	case CategoryMoved:
		if i := c.index(e.CategoryID); i >= 0 {
			cat := c.list[i]
			rest := slices.Delete(slices.Clone(c.list), i, i+1)
			c.list = slices.Insert(rest, min(max(e.Position, 1), len(c.list))-1, cat)
		}
	case CategoryRemoved:
		if i := c.index(e.CategoryID); i >= 0 {
			c.list = slices.Delete(slices.Clone(c.list), i, i+1)
		}
	case MenuItemAdded:
		c = c.file(e.ItemID, e.CategoryID, e.ImpliedCategory)
	case MenuItemModified:
		c = c.file(e.ItemID, e.CategoryID, e.ImpliedCategory)
	case MenuItemRemoved:
		c = c.file(e.ItemID, "", "")
	}
	return c
}

// file files a dish under a category ("": takes it off the list's counts),
// adding the category the dish implies when it is not on the list.
func (c Categories) file(itemID, categoryID, implied string) Categories {
	c.list = slices.Clone(c.list)
	if implied != "" && categoryID != "" && c.index(categoryID) < 0 {
		c.list = append(c.list, Category{ID: categoryID, Name: implied})
	}
	if i := c.index(c.filing[itemID]); i >= 0 {
		c.list[i].Dishes--
	}
	filing := make(map[string]string, len(c.filing)+1)
	for k, v := range c.filing {
		filing[k] = v
	}
	delete(filing, itemID)
	if i := c.index(categoryID); i >= 0 {
		c.list[i].Dishes++
		filing[itemID] = categoryID
	}
	c.filing = filing
	return c
}

// DecideCategory checks a command against the list and returns the events
// it causes, or a *domain.Error a manager can read. A command whose effect
// is in place already decides nothing.
func DecideCategory(c Categories, cmd CategoryCommand) ([]domain.Event, error) {
	if add, ok := cmd.(AddCategory); ok {
		return decideAddCategory(c, add)
	}
	id := categoryIDOf(cmd)
	i := c.index(id)
	if i < 0 {
		return nil, domain.NotFound("There is no such category.")
	}
	cat := c.list[i]
	switch cmd := cmd.(type) {
	case RenameCategory:
		name, err := checkCategoryName(c, cmd.Name, id)
		if err != nil || name == cat.Name {
			return nil, err
		}
		return []domain.Event{CategoryRenamed{CategoryID: id, Name: name}}, nil
	case MoveCategory:
		to := cmd.Position
		if cmd.By != 0 {
			to = min(max(i+1+cmd.By, 1), len(c.list))
		} else if to < 1 || to > len(c.list) {
			return nil, domain.Invalid("position", "Choose a position from 1 to %d.", len(c.list))
		}
		if to == i+1 {
			return nil, nil
		}
		return []domain.Event{CategoryMoved{CategoryID: id, Position: to}}, nil
	case RemoveCategory:
		if cat.Dishes > 0 {
			return nil, domain.Conflict("%s still has %s: move them to another category or remove them first.", cat.Name, dishes(cat.Dishes))
		}
		return []domain.Event{CategoryRemoved{CategoryID: id}}, nil
	}
	return nil, domain.Invalid("", "This action is not available for categories.")
}

func decideAddCategory(c Categories, cmd AddCategory) ([]domain.Event, error) {
	if !categoryID.MatchString(cmd.CategoryID) {
		return nil, domain.Invalid("category_id", "The category needs an id of lowercase letters, digits and dashes.")
	}
	if _, taken := c.Find(cmd.CategoryID); taken {
		return nil, domain.Conflict("This category is on the menu already.")
	}
	name, err := checkCategoryName(c, cmd.Name, "")
	if err != nil {
		return nil, err
	}
	return []domain.Event{CategoryAdded{CategoryID: cmd.CategoryID, Name: name}}, nil
}

func categoryIDOf(cmd CategoryCommand) string {
	switch cmd := cmd.(type) {
	case RenameCategory:
		return cmd.CategoryID
	case MoveCategory:
		return cmd.CategoryID
	case RemoveCategory:
		return cmd.CategoryID
	}
	return ""
}

func dishes(n int) string {
	if n == 1 {
		return "1 dish"
	}
	return strconv.Itoa(n) + " dishes"
}

// categoryID is the shape of every category id: what Slug makes, and a
// suffix that keeps it unique.
var categoryID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,60}$`)

// checkCategoryName tidies a name (trimmed, inner spaces single) and checks
// it: given, not too long, no control characters, and no other category
// (but except) of that name in any case.
func checkCategoryName(c Categories, name, except string) (string, error) {
	name = CategoryName(name)
	switch {
	case name == "":
		return "", domain.Invalid("name", "Please give the category a name.")
	case utf8.RuneCountInString(name) > MaxCategoryLength:
		return "", domain.Invalid("name", "The name can be at most %d characters long.", MaxCategoryLength)
	case strings.IndexFunc(name, invisible) >= 0:
		return "", domain.Invalid("name", "The name may not hold control characters such as tabs or line breaks.")
	}
	if other, ok := c.named(name, except); ok {
		return "", domain.Invalid("name", "There is a category called %s already.", other.Name)
	}
	return name, nil
}

// invisible is a character a name may not hold: control characters, and
// the formatting ones that reorder or hide text (but the joiner emoji use).
func invisible(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) && r != '\u200d'
}

// CategoryName is a category's name as it is kept: trimmed, with every run
// of spaces inside it one space. Line breaks and tabs are spaces too, so a
// name typed over two lines is not refused for them.
func CategoryName(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// nameKey is what two names that count as the same share.
func nameKey(name string) string { return strings.ToLower(CategoryName(name)) }

// ImpliedCategoryID is the id of the category that a dish filed under the
// free text name, before categories were managed, belongs to: the same for
// every spelling that differs in case or spacing ("Pizza", " pizza "), a
// readable slug and a digest of the name, so names that slug alike
// ("Café", "Caf") stay apart. "" for a name that is only spaces.
func ImpliedCategoryID(name string) string {
	key := nameKey(name)
	if key == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(key))
	return strings.TrimPrefix(Slug(key)+"-"+hex.EncodeToString(sum[:3]), "-")
}
