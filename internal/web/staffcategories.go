package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/domain/menu"
	"restaurant/internal/eventstore"
)

// categoryCommand is one of the categories' command URIs, for managers: it
// is decided on the list of categories and every dish's filing at once
// (menu.Catalogue), so a category with dishes in it is never removed.
func (d Deps) categoryCommand(form func(r *http.Request) string, build func(r *http.Request, in input, id uuid.UUID) (menu.CategoryCommand, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		in, err := readInput(w, r)
		if err != nil {
			fail(w, r, err)
			return
		}
		ctx, cancel := withTimeout(r, 10*time.Second)
		defer cancel()
		actor := staffActor(ctx)
		cmd, err := build(r, in, in.commandID(actor))
		var res eventstore.Result
		if err == nil {
			res, err = eventstore.HandleScoped(ctx, d.Store, menu.CategoriesStream, menu.Catalogue, menu.CategoriesDecider, in.meta(actor, actor), cmd)
		}
		if err != nil {
			commandFailed(w, r, in, err, func(status int) {
				d.renderStaffMenu(w, r.WithContext(ctx), status, formError(r, form(r), in, err), true)
			})
			return
		}
		if in.json {
			accepted(w, http.StatusAccepted, res, map[string]any{"category_id": categoryOf(cmd)})
			return
		}
		redirectAfter(w, r, "/staff/menu", nil)
	}
}

// categoryOf is the category a command is about.
func categoryOf(cmd menu.CategoryCommand) string {
	switch c := cmd.(type) {
	case menu.AddCategory:
		return c.CategoryID
	case menu.RenameCategory:
		return c.CategoryID
	case menu.MoveCategory:
		return c.CategoryID
	case menu.RemoveCategory:
		return c.CategoryID
	}
	return ""
}

// categoryInURL is the category the URL names; an id no category can have
// answers 404.
func categoryInURL(r *http.Request) (string, error) {
	id := chi.URLParam(r, "categoryID")
	if !dishID.MatchString(id) {
		return "", domain.NotFound("There is no such category.")
	}
	return id, nil
}

func categoryForm(r *http.Request) string { return "category-" + chi.URLParam(r, "categoryID") }

func (d Deps) addCategory(w http.ResponseWriter, r *http.Request) {
	d.categoryCommand(fixedForm("add-category"), func(_ *http.Request, in input, id uuid.UUID) (menu.CategoryCommand, error) {
		return addCategoryCommand(in, id), nil
	})(w, r)
}

// addCategoryCommand reads the add-category form; the command's id gives
// the category's id its unique part, so a category added again after its
// removal has an anchor of its own.
func addCategoryCommand(in input, id uuid.UUID) menu.CategoryCommand {
	categoryID := strings.TrimPrefix(menu.Slug(in.values["name"])+"-"+id.String()[:6], "-")
	return menu.AddCategory{CategoryID: categoryID, Name: in.values["name"]}
}

func (d Deps) renameCategory(w http.ResponseWriter, r *http.Request) {
	d.categoryCommand(categoryForm, func(r *http.Request, in input, _ uuid.UUID) (menu.CategoryCommand, error) {
		id, err := categoryInURL(r)
		return menu.RenameCategory{CategoryID: id, Name: in.values["name"]}, err
	})(w, r)
}

func (d Deps) moveCategory(w http.ResponseWriter, r *http.Request) {
	d.categoryCommand(categoryForm, func(r *http.Request, in input, _ uuid.UUID) (menu.CategoryCommand, error) {
		id, err := categoryInURL(r)
		if err != nil {
			return nil, err
		}
		return moveCategoryCommand(id, in)
	})(w, r)
}

// moveCategoryCommand reads a move: direction "up" or "down", or a
// position (1 is first).
func moveCategoryCommand(id string, in input) (menu.CategoryCommand, error) {
	switch strings.TrimSpace(in.values["direction"]) {
	case "up":
		return menu.MoveCategory{CategoryID: id, By: -1}, nil
	case "down":
		return menu.MoveCategory{CategoryID: id, By: 1}, nil
	case "":
	default:
		return nil, domain.Invalid("direction", "Move a category up or down, or to a position.")
	}
	position, err := strconv.Atoi(strings.TrimSpace(in.values["position"]))
	if err != nil {
		return nil, domain.Invalid("position", "Enter the position as a whole number, 1 for the first.")
	}
	return menu.MoveCategory{CategoryID: id, Position: position}, nil
}

func (d Deps) removeCategory(w http.ResponseWriter, r *http.Request) {
	d.categoryCommand(categoryForm, func(r *http.Request, _ input, _ uuid.UUID) (menu.CategoryCommand, error) {
		id, err := categoryInURL(r)
		return menu.RemoveCategory{CategoryID: id}, err
	})(w, r)
}
