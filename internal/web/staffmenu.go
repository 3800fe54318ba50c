package web

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/domain/menu"
	"restaurant/domain/staff"
	"restaurant/internal/eventstore"
	"restaurant/views"
)

// dishID is the shape of every menu item id (see menu.Slug); anything else
// in a URL names no dish.
var dishID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,60}$`)

// showStaffMenu is the manager's menu page.
func (d Deps) showStaffMenu(w http.ResponseWriter, r *http.Request) {
	wrote := d.waitFor(r, "menu", "portions")
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
	categories, err := d.Menus.Categories(r.Context())
	if err != nil {
		fail(w, r, err)
		return
	}
	v := views.StaffMenuView{Nav: staffNav(r.Context()), Error: fe, CommandID: commandIDs()}
	forms := []string{"add", "add-category"}
	for _, c := range categories {
		v.Categories = append(v.Categories, views.StaffCategory{ID: c.ID, Name: c.Name, Position: c.Position, Dishes: c.Dishes})
		forms = append(forms, "category-"+c.ID)
	}
	for _, it := range items {
		item := views.StaffMenuItem{ID: it.ItemID, Name: it.Name, Description: it.Description,
			CategoryID: it.CategoryID, CategoryName: it.CategoryName, Price: euros(it.Price), SoldOut: it.SoldOut, TimesAdded: it.TimesAdded,
			Allergens: it.Allergens, Diets: it.Diets, AllergensUnlisted: it.AllergensUnlisted, Photo: it.Photo, Limited: it.Limited,
			Groups: staffOptionGroups(it), OptionsOpen: r.URL.Query().Get("options") == it.ItemID, PrepMinutes: strconv.Itoa(it.PrepMinutes())}
		if it.Limited {
			item.PortionsLeft = strconv.Itoa(it.PortionsLeft)
		}
		v.Items = append(v.Items, item)
		forms = append(forms, "dish-"+it.ItemID, "photo-"+it.ItemID)
	}
	if fe != nil && !slices.Contains(forms, fe.Form) && !staffMenuForms(v.Items)[fe.Form] {
		fe.Form = "menu" // its form is not on the page (a dish, group or category removed, unknown): say it at the top
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

// menuCommand is one of the menu's command URIs: build reads the dish's
// id and the command from the request, decided on the dish's stream.
func (d Deps) menuCommand(form func(r *http.Request) string, build func(r *http.Request, in input, id uuid.UUID) (string, menu.Command, error)) http.HandlerFunc {
	return d.menuCommandTo(form, build, toStaffMenu)
}

// toStaffMenu is where a manager's form on a dish goes back to.
func toStaffMenu(string) string { return "/staff/menu" }

// menuCommandTo is a menu command whose form goes back to the page back
// makes of the dish.
func (d Deps) menuCommandTo(form func(r *http.Request) string, build func(r *http.Request, in input, id uuid.UUID) (string, menu.Command, error),
	back func(itemID string) string) http.HandlerFunc {
	return d.dishCommandTo(form, d.onTheDish(build), back)
}

// onTheDish decides a menu command read by build on the dish's stream.
func (d Deps) onTheDish(build func(r *http.Request, in input, id uuid.UUID) (string, menu.Command, error)) func(r *http.Request, in input, id uuid.UUID) (string, runDish, error) {
	return func(r *http.Request, in input, id uuid.UUID) (string, runDish, error) {
		itemID, cmd, err := build(r, in, id)
		return itemID, func(ctx context.Context, meta eventstore.Metadata) (eventstore.Result, error) {
			return runDishCommand(ctx, d.Store, itemID, meta, cmd)
		}, err
	}
}

// runDish runs a command on a dish, with the request's metadata.
type runDish func(ctx context.Context, meta eventstore.Metadata) (eventstore.Result, error)

// dishCommand is a command URI on a dish (see runDishCommand).
func (d Deps) dishCommand(form func(r *http.Request) string, build func(r *http.Request, in input, id uuid.UUID) (string, runDish, error)) http.HandlerFunc {
	return d.dishCommandTo(form, build, toStaffMenu)
}

// dishCommandTo is dishCommand going back to the page back makes of the
// dish.
func (d Deps) dishCommandTo(form func(r *http.Request) string, build func(r *http.Request, in input, id uuid.UUID) (string, runDish, error),
	back func(itemID string) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		in, err := readInput(w, r)
		if err != nil {
			fail(w, r, err)
			return
		}
		d.runDishCommand(w, r, in, form, build, back)
	}
}

// runDishCommand runs a command on a dish read from a request: 303 back to
// the page it came from, or that page again with the reason next to the
// dish. Managers work from the menu page; a form from the kitchen display
// (back=kitchen), and every cook's, goes back to the kitchen display.
func (d Deps) runDishCommand(w http.ResponseWriter, r *http.Request, in input, form func(r *http.Request) string,
	build func(r *http.Request, in input, id uuid.UUID) (string, runDish, error), back func(itemID string) string) {
	ctx, cancel := withTimeout(r, 10*time.Second)
	defer cancel()
	actor := staffActor(ctx)
	commandID := in.commandID(actor)
	itemID, run, err := build(r, in, commandID)
	if err == nil {
		err = checkDishID(itemID)
	}
	var res eventstore.Result
	if err == nil {
		res, err = run(ctx, in.meta(actor, actor))
	}
	kitchenSide := in.values["back"] == "kitchen" || signedIn(ctx).Role != staff.Manager
	if err != nil {
		commandFailed(w, r, in, err, func(status int) {
			if kitchenSide {
				d.renderKitchen(w, r.WithContext(ctx), status, problemOf(r, err, status).Detail)
				return
			}
			d.renderStaffMenu(w, r.WithContext(ctx), status, formError(r, form(r), in, err), true)
		})
		return
	}
	if in.json {
		accepted(w, http.StatusAccepted, res, map[string]any{"menu_item_id": itemID})
		return
	}
	if kitchenSide {
		redirectAfter(w, r, "/kitchen", nil)
		return
	}
	redirectAfter(w, r, back(itemID), nil)
}

// runDishCommand runs a command on a dish: one that files it under a
// category is decided under the catalogue's lock, knowing the categories as
// they are (so none goes meanwhile); the others on the dish alone.
func runDishCommand(ctx context.Context, store *eventstore.Store, itemID string, meta eventstore.Metadata, cmd menu.Command) (eventstore.Result, error) {
	switch cmd.(type) {
	case menu.AddMenuItem, menu.ModifyMenuItem:
		return eventstore.HandleGuardedBy(ctx, store, menu.Stream(itemID), menu.Catalogue, menu.Decider, meta,
			func(facts []eventstore.RecordedEvent) menu.Command {
				return menu.Filed(cmd, eventstore.Fold(menu.EvolveCategories, facts))
			})
	}
	return eventstore.Handle(ctx, store, menu.Stream(itemID), menu.Decider, meta, cmd)
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
	allergens, diets := labelling(in)
	return itemID, menu.AddMenuItem{ItemID: itemID, Name: in.values["name"], Description: in.values["description"],
		CategoryID: strings.TrimSpace(in.values["category_id"]), Price: price, Allergens: allergens, Diets: diets}, nil
}

// labelling reads a dish form's allergens and diets; the domain refuses
// those it does not know.
func labelling(in input) ([]menu.Allergen, []menu.Diet) {
	var allergens []menu.Allergen
	for _, a := range in.list("allergens") {
		allergens = append(allergens, menu.Allergen(a))
	}
	var diets []menu.Diet
	for _, d := range in.list("diets") {
		diets = append(diets, menu.Diet(d))
	}
	return allergens, diets
}

func (d Deps) modifyMenuItem(w http.ResponseWriter, r *http.Request) {
	d.menuCommand(dishForm, func(r *http.Request, in input, _ uuid.UUID) (string, menu.Command, error) {
		return modifyMenuItemCommand(chi.URLParam(r, "itemID"), in)
	})(w, r)
}

// modifyMenuItemCommand reads the change-dish form of the dish itemID.
func modifyMenuItemCommand(itemID string, in input) (string, menu.Command, error) {
	price, err := parseEuros(in.values["price"])
	allergens, diets := labelling(in)
	return itemID, menu.ModifyMenuItem{Name: in.values["name"], Description: in.values["description"],
		CategoryID: strings.TrimSpace(in.values["category_id"]), Price: price, Allergens: allergens, Diets: diets}, err
}

// simpleMenuCommand is a button on a dish.
func (d Deps) simpleMenuCommand(cmd menu.Command) http.HandlerFunc {
	return d.menuCommand(dishForm, func(r *http.Request, _ input, _ uuid.UUID) (string, menu.Command, error) {
		return chi.URLParam(r, "itemID"), cmd, nil
	})
}

func (d Deps) setPortions(w http.ResponseWriter, r *http.Request) {
	d.dishCommand(dishForm, func(r *http.Request, in input, _ uuid.UUID) (string, runDish, error) {
		itemID := chi.URLParam(r, "itemID")
		n, err := portionsField(in)
		return itemID, func(ctx context.Context, meta eventstore.Metadata) (eventstore.Result, error) {
			// Decided knowing the dish as its own stream says, under its
			// lock: a dish removed meanwhile takes no limit.
			return eventstore.HandleGuarded(ctx, d.Store, menu.PortionsStream(itemID), menu.Stream(itemID), menu.PortionsDecider, meta,
				func(dish []eventstore.RecordedEvent) menu.PortionsCommand {
					var s menu.State
					for _, e := range dish {
						s = menu.Evolve(s, e.Event)
					}
					return menu.SetPortions{ItemID: itemID, Portions: n, Dish: s}
				})
		}, err
	})(w, r)
}

func (d Deps) clearPortions(w http.ResponseWriter, r *http.Request) {
	d.dishCommand(dishForm, func(r *http.Request, _ input, _ uuid.UUID) (string, runDish, error) {
		itemID := chi.URLParam(r, "itemID")
		return itemID, func(ctx context.Context, meta eventstore.Metadata) (eventstore.Result, error) {
			return eventstore.Handle(ctx, d.Store, menu.PortionsStream(itemID), menu.PortionsDecider, meta, menu.PortionsCommand(menu.ClearPortions{}))
		}, nil
	})(w, r)
}

func (d Deps) setPrepTime(w http.ResponseWriter, r *http.Request) {
	d.menuCommand(dishForm, func(r *http.Request, in input, _ uuid.UUID) (string, menu.Command, error) {
		n, err := strconv.Atoi(strings.TrimSpace(in.values["prep_minutes"]))
		if err != nil {
			return chi.URLParam(r, "itemID"), nil, domain.Invalid("prep_minutes", "Enter the minutes the dish takes to make, from %d to %d.", menu.MinPrepMinutes, menu.MaxPrepMinutes)
		}
		return chi.URLParam(r, "itemID"), menu.SetPrepTime{Minutes: n}, nil
	})(w, r)
}

// portionsField reads how many portions a dish has: a whole number.
func portionsField(in input) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(in.values["portions"]))
	if err != nil {
		return 0, domain.Invalid("portions", "Enter a number of portions from 0 to %d.", menu.MaxPortions)
	}
	return n, nil
}
