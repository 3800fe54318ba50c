package web

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/domain/menu"
	"restaurant/internal/eventstore"
	"restaurant/views"
)

// dishID is the shape of every menu item id (see menu.Slug); anything else
// in a URL names no dish.
var dishID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,60}$`)

// showStaffMenu is the manager's menu page.
func (d Deps) showStaffMenu(w http.ResponseWriter, r *http.Request) {
	wrote := d.waitFor(r, "menu")
	d.renderStaffMenu(w, r, http.StatusOK, nil, wrote)
}

// renderStaffMenu renders the manager's menu; fresh reads the read model,
// not the copy kept in memory for a moment.
func (d Deps) renderStaffMenu(w http.ResponseWriter, r *http.Request, status int, fe *views.FormError, fresh bool) {
	items, err := d.listed(r.Context(), fresh || fe != nil)
	if err != nil {
		fail(w, r, err)
		return
	}
	v := views.StaffMenuView{Nav: staffNav(r.Context()), Error: fe, CommandID: commandIDs()}
	for _, it := range items {
		v.Items = append(v.Items, views.StaffMenuItem{ID: it.ItemID, Name: it.Name, Description: it.Description,
			Category: it.Category, Price: euros(it.Price), SoldOut: it.SoldOut, TimesAdded: it.TimesAdded,
			Groups: staffOptionGroups(it), OptionsOpen: r.URL.Query().Get("options") == it.ItemID})
	}
	if fe != nil && !staffMenuForms(v.Items)[fe.Form] {
		fe.Form = "menu" // its form is not on the page (a dish or group removed, unknown): say it at the top
	}
	for i, it := range v.Items {
		if fe != nil && views.OptionFormOf(fe.Form, it.ID) {
			v.Items[i].OptionsOpen = true // the manager is at work on its options
		}
	}
	render(w, r, status, views.StaffMenuPage(v))
}

// euros shows cents as a form field does: "11.50".
func euros(m domain.Money) string { return fmt.Sprintf("%d.%02d", m.Amount/100, m.Amount%100) }

// parseEuros reads a price as people type it: "11.5", "11,50", "€ 11". The
// euros and cents are digits alone: no sign, so "1.+5" is not €1.05.
func parseEuros(s string) (domain.Money, error) {
	return parseAmount("price", "Enter a price in euros, like 11.50.", s)
}

// parseAmount reads an amount of euros for a field, or refuses it with the
// message.
func parseAmount(field, message, s string) (domain.Money, error) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "€"))
	s = strings.ReplaceAll(s, ",", ".")
	whole, frac, _ := strings.Cut(s, ".")
	bad := domain.Invalid(field, "%s", message)
	if whole == "" || len(frac) > 2 || len(whole) > 6 || !digits(whole) || !digits(frac) {
		return domain.Money{}, bad
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return domain.Money{}, bad
	}
	cents := int64(0)
	if frac != "" {
		f, err := strconv.ParseInt(frac, 10, 64)
		if err != nil {
			return domain.Money{}, bad
		}
		if len(frac) == 1 {
			f *= 10
		}
		cents = f
	}
	return domain.Cents(w*100 + cents), nil
}

func digits(s string) bool {
	return strings.Trim(s, "0123456789") == ""
}

// menuCommand is one of the menu's command URIs, for managers.
func (d Deps) menuCommand(form func(r *http.Request) string, build func(r *http.Request, in input, id uuid.UUID) (string, menu.Command, error)) http.HandlerFunc {
	return d.menuCommandTo(form, build, func(string) string { return "/staff/menu" })
}

// menuCommandTo is a menu command whose form goes back to the page back
// makes of the dish.
func (d Deps) menuCommandTo(form func(r *http.Request) string, build func(r *http.Request, in input, id uuid.UUID) (string, menu.Command, error),
	back func(itemID string) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		in, err := readInput(w, r)
		if err != nil {
			fail(w, r, err)
			return
		}
		ctx, cancel := withTimeout(r, 10*time.Second)
		defer cancel()
		actor := staffActor(ctx)
		commandID := in.commandID(actor)
		itemID, cmd, err := build(r, in, commandID)
		if err == nil {
			err = checkDishID(itemID)
		}
		var res eventstore.Result
		if err == nil {
			res, err = eventstore.Handle(ctx, d.Store, menu.Stream(itemID), menu.Decider, in.meta(actor, actor), cmd)
		}
		if err != nil {
			commandFailed(w, r, in, err, func(status int) {
				d.renderStaffMenu(w, r.WithContext(ctx), status, formError(r, form(r), in, err), true)
			})
			return
		}
		if in.json {
			accepted(w, http.StatusAccepted, res, map[string]any{"menu_item_id": itemID})
			return
		}
		redirectAfter(w, r, back(itemID), nil)
	}
}

// checkDishID answers 404 for an id no dish can have.
func checkDishID(itemID string) error {
	if !dishID.MatchString(itemID) {
		return domain.NotFound("There is no such dish.")
	}
	return nil
}

func dishForm(r *http.Request) string { return "dish-" + chi.URLParam(r, "itemID") }

func (d Deps) addMenuItem(w http.ResponseWriter, r *http.Request) {
	d.menuCommand(func(*http.Request) string { return "add" }, func(_ *http.Request, in input, id uuid.UUID) (string, menu.Command, error) {
		return addMenuItemCommand(in, id)
	})(w, r)
}

// addMenuItemCommand reads the add-dish form; the command's id gives the
// dish's id its unique part.
func addMenuItemCommand(in input, id uuid.UUID) (string, menu.Command, error) {
	price, err := parseEuros(in.values["price"])
	if err != nil {
		return "", nil, err
	}
	// A readable id that never collides, even with a removed dish's.
	itemID := strings.TrimPrefix(menu.Slug(in.values["name"])+"-"+id.String()[:6], "-")
	return itemID, menu.AddMenuItem{ItemID: itemID, Name: in.values["name"], Description: in.values["description"],
		Category: in.values["category"], Price: price}, nil
}

func (d Deps) modifyMenuItem(w http.ResponseWriter, r *http.Request) {
	d.menuCommand(dishForm, func(r *http.Request, in input, _ uuid.UUID) (string, menu.Command, error) {
		return modifyMenuItemCommand(chi.URLParam(r, "itemID"), in)
	})(w, r)
}

// modifyMenuItemCommand reads the change-dish form of the dish itemID.
func modifyMenuItemCommand(itemID string, in input) (string, menu.Command, error) {
	price, err := parseEuros(in.values["price"])
	return itemID, menu.ModifyMenuItem{Name: in.values["name"], Description: in.values["description"],
		Category: in.values["category"], Price: price}, err
}

// simpleMenuCommand is a button on a dish.
func (d Deps) simpleMenuCommand(cmd menu.Command) http.HandlerFunc {
	return d.menuCommand(dishForm, func(r *http.Request, _ input, _ uuid.UUID) (string, menu.Command, error) {
		return chi.URLParam(r, "itemID"), cmd, nil
	})
}
