package projections

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"restaurant/domain"
	"restaurant/domain/menu"
	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
	"restaurant/internal/live"
)

// MenuProjection keeps the menu guests see, and each item's popularity,
// learnt from the orders' events (the Menu service listening to Orders).
type MenuProjection struct{}

// WriteOnly implements WriteOnly: its statements for a batch go to
// PostgreSQL together.
func (MenuProjection) WriteOnly() {}

// Name implements Projection.
func (MenuProjection) Name() string { return "menu" }

// Tables implements Projection.
func (MenuProjection) Tables() []string {
	return []string{"menu_option_choices", "menu_option_groups", "menu_items", "menu_categories"}
}

// Apply implements Projection.
func (MenuProjection) Apply(ctx context.Context, tx pgx.Tx, e eventstore.RecordedEvent) error {
	var err error
	switch ev := e.Event.(type) {
	case menu.MenuItemAdded:
		err = implyCategory(ctx, tx, ev.CategoryID, ev.ImpliedCategory)
		if err == nil {
			_, err = tx.Exec(ctx, `INSERT INTO menu_items (item_id, name, description, category_id, price_amount, price_currency,
				allergens, diets, allergens_unlisted, listed_seq, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
				ev.ItemID, ev.Name, ev.Description, ev.CategoryID, ev.Price.Amount, ev.Price.Currency,
				words(ev.Allergens), words(ev.Diets), ev.AllergensUnlisted, e.Position, e.RecordedAt)
		}
	case menu.MenuItemModified:
		err = implyCategory(ctx, tx, ev.CategoryID, ev.ImpliedCategory)
		if err == nil {
			_, err = tx.Exec(ctx, `UPDATE menu_items SET name = $2, description = $3, category_id = $4, price_amount = $5,
				price_currency = $6, allergens = $7, diets = $8, allergens_unlisted = $9, updated_at = $10 WHERE item_id = $1`,
				ev.ItemID, ev.Name, ev.Description, ev.CategoryID, ev.Price.Amount, ev.Price.Currency,
				words(ev.Allergens), words(ev.Diets), ev.AllergensUnlisted, e.RecordedAt)
		}
	case menu.CategoryAdded:
		err = addCategory(ctx, tx, ev.CategoryID, ev.Name, false)
	case menu.CategoryRenamed:
		_, err = tx.Exec(ctx, `UPDATE menu_categories SET name = $2 WHERE category_id = $1`, ev.CategoryID, ev.Name)
	case menu.CategoryMoved:
		_, err = tx.Exec(ctx, moveCategorySQL, ev.CategoryID, ev.Position)
	case menu.CategoryRemoved:
		_, err = tx.Exec(ctx, `WITH gone AS (DELETE FROM menu_categories WHERE category_id = $1 RETURNING position)
			UPDATE menu_categories SET position = position - 1 WHERE position > (SELECT position FROM gone)`, ev.CategoryID)
	case menu.MenuItemRemoved:
		_, err = tx.Exec(ctx, `UPDATE menu_items SET removed = true, updated_at = $2 WHERE item_id = $1`, ev.ItemID, e.RecordedAt)
	case menu.MenuItemSoldOut:
		_, err = tx.Exec(ctx, `UPDATE menu_items SET sold_out = true, updated_at = $2 WHERE item_id = $1`, ev.ItemID, e.RecordedAt)
	case menu.MenuItemBackInStock:
		_, err = tx.Exec(ctx, `UPDATE menu_items SET sold_out = false, updated_at = $2 WHERE item_id = $1`, ev.ItemID, e.RecordedAt)
	case menu.MenuItemPhotoChanged:
		_, err = tx.Exec(ctx, `UPDATE menu_items SET photo_id = $2, updated_at = $3 WHERE item_id = $1`, ev.ItemID, ev.PhotoID, e.RecordedAt)
	case menu.MenuItemPhotoRemoved:
		_, err = tx.Exec(ctx, `UPDATE menu_items SET photo_id = '', updated_at = $2 WHERE item_id = $1`, ev.ItemID, e.RecordedAt)
	case menu.MenuItemPrepTimeSet:
		_, err = tx.Exec(ctx, `UPDATE menu_items SET prep_minutes = $2, updated_at = $3 WHERE item_id = $1`, ev.ItemID, ev.Minutes, e.RecordedAt)
	case ordering.ItemAddedToOrder:
		err = addPopularity(ctx, tx, ev.MenuItemID, 1, ev.Quantity)
	case menu.OptionGroupAdded:
		_, err = tx.Exec(ctx, `INSERT INTO menu_option_groups (item_id, group_id, seq, name, required, min_choices, max_choices)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, ev.ItemID, ev.GroupID, e.Position, ev.Name, ev.Required, ev.Min, ev.Max)
		err = then(ctx, tx, err, touchMenuItem, ev.ItemID, e.RecordedAt)
	case menu.OptionGroupRenamed:
		_, err = tx.Exec(ctx, `UPDATE menu_option_groups SET name = $3 WHERE item_id = $1 AND group_id = $2`, ev.ItemID, ev.GroupID, ev.Name)
		err = then(ctx, tx, err, touchMenuItem, ev.ItemID, e.RecordedAt)
	case menu.OptionGroupRulesSet:
		_, err = tx.Exec(ctx, `UPDATE menu_option_groups SET required = $3, min_choices = $4, max_choices = $5
			WHERE item_id = $1 AND group_id = $2`, ev.ItemID, ev.GroupID, ev.Required, ev.Min, ev.Max)
		err = then(ctx, tx, err, touchMenuItem, ev.ItemID, e.RecordedAt)
	case menu.OptionGroupRemoved:
		_, err = tx.Exec(ctx, `DELETE FROM menu_option_groups WHERE item_id = $1 AND group_id = $2`, ev.ItemID, ev.GroupID)
		err = then(ctx, tx, err, touchMenuItem, ev.ItemID, e.RecordedAt)
	case menu.OptionChoiceAdded:
		_, err = tx.Exec(ctx, `INSERT INTO menu_option_choices (item_id, group_id, choice_id, seq, name, price_change_amount, price_change_currency)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, ev.ItemID, ev.GroupID, ev.ChoiceID, e.Position, ev.Name, ev.PriceChange.Amount, ev.PriceChange.Currency)
		err = then(ctx, tx, err, touchMenuItem, ev.ItemID, e.RecordedAt)
	case menu.OptionChoiceRemoved:
		_, err = tx.Exec(ctx, `DELETE FROM menu_option_choices WHERE item_id = $1 AND group_id = $2 AND choice_id = $3`, ev.ItemID, ev.GroupID, ev.ChoiceID)
		err = then(ctx, tx, err, touchMenuItem, ev.ItemID, e.RecordedAt)
	}
	return err
}

// moveCategorySQL puts a category at a position (kept within the list) and
// closes up those between its old place and the new one, as
// menu.EvolveCategories does.
const moveCategorySQL = `WITH old AS (SELECT position AS p FROM menu_categories WHERE category_id = $1),
	new AS (SELECT least(greatest($2::integer, 1), (SELECT count(*) FROM menu_categories))::integer AS p)
	UPDATE menu_categories SET position = CASE
		WHEN category_id = $1 THEN (SELECT p FROM new)
		WHEN position > (SELECT p FROM old) AND position <= (SELECT p FROM new) THEN position - 1
		WHEN position < (SELECT p FROM old) AND position >= (SELECT p FROM new) THEN position + 1
		ELSE position END
	WHERE EXISTS (SELECT 1 FROM old)`

// addCategory puts a category at the end of the list; implied, only if it
// is not on the list already (a dish stored under free text names it).
func addCategory(ctx context.Context, tx pgx.Tx, id, name string, implied bool) error {
	sql := `INSERT INTO menu_categories (category_id, name, position)
		VALUES ($1, $2, (SELECT coalesce(max(position), 0) + 1 FROM menu_categories))`
	if implied {
		sql += ` ON CONFLICT (category_id) DO NOTHING`
	}
	_, err := tx.Exec(ctx, sql, id, name)
	return err
}

// implyCategory adds the category an old dish implies, if it does.
func implyCategory(ctx context.Context, tx pgx.Tx, id, implied string) error {
	if implied == "" || id == "" {
		return nil
	}
	return addCategory(ctx, tx, id, implied, true)
}

// words are allergens or diets as the read model keeps them: text, never
// NULL.
func words[T ~string](ws []T) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = string(w)
	}
	return out
}

// touchMenuItem notes when a dish's options changed.
const touchMenuItem = `UPDATE menu_items SET updated_at = $2 WHERE item_id = $1`

func addPopularity(ctx context.Context, tx pgx.Tx, itemID string, times, units int) error {
	_, err := tx.Exec(ctx, `UPDATE menu_items SET times_added = times_added + $2, units_added = units_added + $3
		WHERE item_id = $1`, itemID, times, units)
	return err
}

// ApplyBatch implements BatchApplier: the dishes' popularity is counted
// over the batch and written once per dish, after the batch's menu changes.
// Written at every add, a popular dish's row would be rewritten thousands
// of times in one transaction (a rebuild), each version chained to the last.
func (m MenuProjection) ApplyBatch(ctx context.Context, tx pgx.Tx, events []eventstore.RecordedEvent) error {
	type count struct{ first, times, units int } // first: the dish's first add in the batch
	added := map[string]count{}
	for i, e := range events {
		if ev, ok := e.Event.(ordering.ItemAddedToOrder); ok {
			c, seen := added[ev.MenuItemID]
			if !seen {
				c.first = i
			}
			added[ev.MenuItemID] = count{c.first, c.times + 1, c.units + ev.Quantity}
			continue
		}
		forEvent(tx, i)
		if err := m.Apply(ctx, tx, e); err != nil {
			return &AtEvent{Index: i, Err: err}
		}
	}
	for _, id := range slices.Sorted(maps.Keys(added)) {
		forEvent(tx, added[id].first)
		if err := addPopularity(ctx, tx, id, added[id].times, added[id].units); err != nil {
			return &AtEvent{Index: added[id].first, Err: err}
		}
	}
	return nil
}

// Topics implements Notifier: the guests' menu follows the menu's events,
// and so do the kitchen display's sold-out buttons. A dish's portions are
// told by their own read model (PortionsProjection).
func (MenuProjection) Topics(e eventstore.RecordedEvent) []live.Topic {
	if strings.HasPrefix(e.Type, "menu.") && !isPortionEvent(e) {
		return []live.Topic{live.MenuTopic(), live.KitchenTopic()}
	}
	return nil
}

// MenuItem is one dish as the menu shows it.
type MenuItem struct {
	ItemID      string
	Name        string
	Description string
	// CategoryID files it; CategoryName is that category's name now.
	CategoryID   string
	CategoryName string
	Price        domain.Money
	Allergens    []menu.Allergen
	Diets        []menu.Diet
	// AllergensUnlisted: stored before dishes listed their allergens, and
	// not listed since.
	AllergensUnlisted bool
	SoldOut           bool
	Removed           bool
	TimesAdded        int64
	UnitsAdded        int64
	UpdatedAt         time.Time
	Photo             string // the photo's id, "" for none
	// PrepTime is the minutes the dish takes to make, 0 when never set
	// (see PrepMinutes).
	PrepTime int
	// Limited says the dish is cooked in a limited number of portions,
	// PortionsLeft of which are left (from PortionsProjection).
	Limited      bool
	PortionsLeft int
	// Options are the dish's groups of choices, in the order they were
	// added, each with its choices in the order they were added.
	Options []menu.OptionGroup
}

// PrepMinutes is how long the dish takes to make: as set, or the default.
func (m MenuItem) PrepMinutes() int {
	if m.PrepTime == 0 {
		return menu.DefaultPrepMinutes
	}
	return m.PrepTime
}

// NoneLeft says a limited dish has no portions left: it shows as sold out.
func (m MenuItem) NoneLeft() bool { return m.Limited && m.PortionsLeft <= 0 }

// Orderable says whether a guest may add the item now.
func (m MenuItem) Orderable() bool { return !m.SoldOut && !m.Removed && !m.NoneLeft() }

// Menus reads the menu read model.
type Menus struct{ Pool *pgxpool.Pool }

const menuColumns = `mi.item_id, mi.name, mi.description, mi.category_id, coalesce(c.name, ''), mi.price_amount, mi.price_currency,
	mi.allergens, mi.diets, mi.allergens_unlisted, mi.sold_out, mi.removed, mi.times_added, mi.units_added, mi.updated_at, mi.photo_id,
	p.portions_left, mi.prep_minutes`

func scanMenuItem(row pgx.Row) (MenuItem, error) {
	var m MenuItem
	var allergens, diets []string
	var left *int
	err := row.Scan(&m.ItemID, &m.Name, &m.Description, &m.CategoryID, &m.CategoryName, &m.Price.Amount, &m.Price.Currency,
		&allergens, &diets, &m.AllergensUnlisted, &m.SoldOut, &m.Removed, &m.TimesAdded, &m.UnitsAdded, &m.UpdatedAt, &m.Photo, &left, &m.PrepTime)
	m.Allergens, m.Diets = as[menu.Allergen](allergens), as[menu.Diet](diets)
	if left != nil {
		m.Limited, m.PortionsLeft = true, *left
	}
	return m, err
}

// as reads stored words as allergens or diets; none is nil, as in events.
func as[T ~string](ws []string) []T {
	var out []T
	for _, w := range ws {
		out = append(out, T(w))
	}
	return out
}

// Listed returns the items on the menu (not removed), by category in the
// managers' order, then in the order items were added.
func (m Menus) Listed(ctx context.Context) ([]MenuItem, error) {
	rows, err := m.Pool.Query(ctx, `SELECT `+menuColumns+` FROM menu_items mi
		LEFT JOIN menu_categories c ON c.category_id = mi.category_id
		LEFT JOIN dish_portions p ON p.item_id = mi.item_id
		WHERE NOT mi.removed ORDER BY c.position NULLS LAST, mi.listed_seq`)
	if err != nil {
		return nil, fmt.Errorf("read menu: %w", err)
	}
	defer rows.Close()
	var out []MenuItem
	for rows.Next() {
		item, err := scanMenuItem(rows)
		if err != nil {
			return nil, fmt.Errorf("read menu: %w", err)
		}
		out = append(out, item)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read menu: %w", err)
	}
	options, err := m.options(ctx)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Options = options[out[i].ItemID]
	}
	return out, nil
}

// options reads the option groups of every listed dish, by dish.
func (m Menus) options(ctx context.Context) (map[string][]menu.OptionGroup, error) {
	rows, err := m.Pool.Query(ctx, `SELECT g.item_id, g.group_id, g.name, g.required, g.min_choices, g.max_choices,
			c.choice_id, c.name, c.price_change_amount, c.price_change_currency
		FROM menu_option_groups g JOIN menu_items i ON i.item_id = g.item_id AND NOT i.removed
		LEFT JOIN menu_option_choices c ON c.item_id = g.item_id AND c.group_id = g.group_id
		ORDER BY g.item_id, g.seq, c.seq`)
	if err != nil {
		return nil, fmt.Errorf("read menu options: %w", err)
	}
	defer rows.Close()
	out := map[string][]menu.OptionGroup{}
	for rows.Next() {
		var item string
		var g menu.OptionGroup
		var choiceID, name, currency *string
		var amount *int64
		if err := rows.Scan(&item, &g.ID, &g.Name, &g.Required, &g.Min, &g.Max, &choiceID, &name, &amount, &currency); err != nil {
			return nil, fmt.Errorf("read menu options: %w", err)
		}
		groups := out[item]
		if n := len(groups); n == 0 || groups[n-1].ID != g.ID {
			groups = append(groups, g)
		}
		if choiceID != nil {
			last := &groups[len(groups)-1]
			last.Choices = append(last.Choices, menu.OptionChoice{ID: *choiceID, Name: *name, PriceChange: domain.Money{Amount: *amount, Currency: *currency}})
		}
		out[item] = groups
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read menu options: %w", err)
	}
	return out, nil
}

// Category is one section of the menu, for the managers' page.
type Category struct {
	ID       string
	Name     string
	Position int
	// Dishes is how many dishes on the menu are filed under it.
	Dishes int
}

// Categories returns every category in the managers' order.
func (m Menus) Categories(ctx context.Context) ([]Category, error) {
	rows, err := m.Pool.Query(ctx, `SELECT c.category_id, c.name, c.position,
		(SELECT count(*) FROM menu_items mi WHERE mi.category_id = c.category_id AND NOT mi.removed)::integer
		FROM menu_categories c ORDER BY c.position`)
	if err != nil {
		return nil, fmt.Errorf("read categories: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Category, error) {
		var c Category
		err := row.Scan(&c.ID, &c.Name, &c.Position, &c.Dishes)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("read categories: %w", err)
	}
	return out, nil
}
