// Package demo puts a small, real menu on an empty restaurant, through the
// same menu commands the staff use, so it is in the event log like
// everything else.
package demo

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/domain/menu"
	"restaurant/internal/eventstore"
)

// dishes is the opening menu, by category.
var dishes = []menu.AddMenuItem{
	{ItemID: "bruschetta", Name: "Bruschetta", Category: "Starters", Price: domain.Cents(650), Description: "Grilled sourdough, tomatoes, garlic, basil, olive oil."},
	{ItemID: "burrata", Name: "Burrata", Category: "Starters", Price: domain.Cents(1150), Description: "Creamy burrata, roasted peppers, rocket, toasted bread."},
	{ItemID: "arancini", Name: "Arancini", Category: "Starters", Price: domain.Cents(750), Description: "Three saffron rice balls filled with mozzarella and peas."},
	{ItemID: "minestrone", Name: "Minestrone", Category: "Starters", Price: domain.Cents(700), Description: "Seasonal vegetable soup with borlotti beans and pesto."},
	{ItemID: "margherita", Name: "Margherita", Category: "Pizza", Price: domain.Cents(1100), Description: "Tomato, fior di latte, basil, olive oil."},
	{ItemID: "diavola", Name: "Diavola", Category: "Pizza", Price: domain.Cents(1350), Description: "Tomato, mozzarella, spicy salami, chilli oil."},
	{ItemID: "quattro-formaggi", Name: "Quattro formaggi", Category: "Pizza", Price: domain.Cents(1400), Description: "Mozzarella, gorgonzola, fontina, parmigiano."},
	{ItemID: "funghi", Name: "Funghi", Category: "Pizza", Price: domain.Cents(1300), Description: "Tomato, mozzarella, roasted mushrooms, thyme."},
	{ItemID: "carbonara", Name: "Spaghetti carbonara", Category: "Pasta", Price: domain.Cents(1450), Description: "Guanciale, egg yolk, pecorino romano, black pepper."},
	{ItemID: "cacio-e-pepe", Name: "Cacio e pepe", Category: "Pasta", Price: domain.Cents(1300), Description: "Tonnarelli, pecorino romano, black pepper."},
	{ItemID: "pesto", Name: "Trofie al pesto", Category: "Pasta", Price: domain.Cents(1350), Description: "Basil pesto, green beans, potatoes, pine nuts."},
	{ItemID: "tiramisu", Name: "Tiramisù", Category: "Desserts", Price: domain.Cents(750), Description: "Mascarpone, espresso, savoiardi, cocoa."},
	{ItemID: "panna-cotta", Name: "Panna cotta", Category: "Desserts", Price: domain.Cents(700), Description: "Vanilla panna cotta with berry compote."},
	{ItemID: "lemonade", Name: "House lemonade", Category: "Drinks", Price: domain.Cents(450), Description: "Lemons, mint, sparkling water."},
	{ItemID: "espresso", Name: "Espresso", Category: "Drinks", Price: domain.Cents(280)},
	{ItemID: "sparkling-water", Name: "Sparkling water", Category: "Drinks", Price: domain.Cents(350), Description: "75 cl bottle."},
}

// pizzaOptions are every pizza's choices: its size, and extras.
var pizzaOptions = []menu.Command{
	menu.AddOptionGroup{GroupID: "size", Name: "Size", Required: true, Min: 1, Max: 1},
	menu.AddOptionChoice{GroupID: "size", ChoiceID: "small", Name: "Small", PriceChange: domain.Cents(-200)},
	menu.AddOptionChoice{GroupID: "size", ChoiceID: "regular", Name: "Regular", PriceChange: domain.Cents(0)},
	menu.AddOptionChoice{GroupID: "size", ChoiceID: "large", Name: "Large", PriceChange: domain.Cents(300)},
	menu.AddOptionGroup{GroupID: "extras", Name: "Extras", Max: 3},
	menu.AddOptionChoice{GroupID: "extras", ChoiceID: "mozzarella", Name: "Extra mozzarella", PriceChange: domain.Cents(150)},
	menu.AddOptionChoice{GroupID: "extras", ChoiceID: "basil", Name: "Fresh basil", PriceChange: domain.Cents(50)},
	menu.AddOptionChoice{GroupID: "extras", ChoiceID: "olives", Name: "Olives", PriceChange: domain.Cents(100)},
	menu.AddOptionChoice{GroupID: "extras", ChoiceID: "rocket", Name: "Rocket", PriceChange: domain.Cents(100)},
	menu.AddOptionChoice{GroupID: "extras", ChoiceID: "chilli-oil", Name: "Chilli oil", PriceChange: domain.Cents(0)},
}

// options are the dishes' choices, by dish, given after the dish is added.
var options = map[string][]menu.Command{
	"margherita":       pizzaOptions,
	"diavola":          pizzaOptions,
	"quattro-formaggi": pizzaOptions,
	"funghi":           pizzaOptions,
	"lemonade": {
		menu.AddOptionGroup{GroupID: "size", Name: "Size", Required: true, Min: 1, Max: 1},
		menu.AddOptionChoice{GroupID: "size", ChoiceID: "glass", Name: "Glass", PriceChange: domain.Cents(0)},
		menu.AddOptionChoice{GroupID: "size", ChoiceID: "jug", Name: "Jug", PriceChange: domain.Cents(600)},
	},
}

// namespace makes the seed's command ids: the same on every start and in
// every process, so seeding twice, or from two processes at once, adds
// each dish once.
var namespace = uuid.MustParse("0f7b5a8e-3c1d-4e2a-9b6f-8d4c2e1a7b35")

// SeedMenu adds the opening menu if the restaurant has never had one.
func SeedMenu(ctx context.Context, store *eventstore.Store) (added int, err error) {
	empty, err := store.NoStreamWithPrefix(ctx, menu.StreamPrefix)
	if err != nil || !empty {
		return 0, err
	}
	for _, d := range dishes {
		meta := eventstore.Metadata{CommandID: uuid.NewSHA1(namespace, []byte(d.ItemID)), Actor: "system:demo-menu"}
		res, err := eventstore.Handle(ctx, store, menu.Stream(d.ItemID), menu.Decider, meta, menu.Command(d))
		if err != nil {
			return added, fmt.Errorf("demo menu: %s: %w", d.Name, err)
		}
		if !res.Duplicate {
			added++
		}
		for i, c := range options[d.ItemID] {
			meta := eventstore.Metadata{CommandID: uuid.NewSHA1(namespace, fmt.Appendf(nil, "%s option %d", d.ItemID, i)), Actor: "system:demo-menu"}
			if _, err := eventstore.Handle(ctx, store, menu.Stream(d.ItemID), menu.Decider, meta, c); err != nil {
				return added, fmt.Errorf("demo menu: %s: options: %w", d.Name, err)
			}
		}
	}
	return added, nil
}
