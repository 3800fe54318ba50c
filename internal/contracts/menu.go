package contracts

import (
	"encoding/json"
	"errors"
	"fmt"

	"restaurant/domain/menu"
)

// dishFiledByCategoryID reads a dish's MenuItemAdded or MenuItemModified of
// schema version 1, which filed it under free text ("category": "Pizza"),
// as version 2, which files it by id. The text becomes the id of the
// category it implies (menu.ImpliedCategoryID: the same for "Pizza" and
// " pizza"), and stays as implied_category, tidied, for the list of
// categories to name it by until a manager renames it. Version 1 had no
// allergens, so they read as never listed, not as none. Other fields pass
// as they are.
func dishFiledByCategoryID(data json.RawMessage) (json.RawMessage, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return nil, fmt.Errorf("a dish of version 1: %w", err)
	}
	if fields == nil {
		return nil, errors.New("a dish of version 1 is null")
	}
	var text string
	if raw, ok := fields["category"]; ok {
		if err := json.Unmarshal(raw, &text); err != nil {
			return nil, fmt.Errorf("the category of a dish of version 1: %w", err)
		}
	}
	delete(fields, "category")
	set := func(key string, v any) error {
		b, err := json.Marshal(v)
		fields[key] = b
		return err
	}
	if id := menu.ImpliedCategoryID(text); id != "" {
		if err := errors.Join(set("category_id", id), set("implied_category", menu.CategoryName(text))); err != nil {
			return nil, err
		}
	}
	if err := set("allergens_unlisted", true); err != nil {
		return nil, err
	}
	return json.Marshal(fields)
}
