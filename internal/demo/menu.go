// Package demo puts a small, real menu on an empty restaurant, through the
// same menu commands the staff use, so it is in the event log like
// everything else.
package demo

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/domain/menu"
	"restaurant/internal/eventstore"
)

// categories are the opening menu's sections, in order.
var categories = []menu.AddCategory{
	{CategoryID: "starters", Name: "Starters"},
	{CategoryID: "pizza", Name: "Pizza"},
	{CategoryID: "pasta", Name: "Pasta"},
	{CategoryID: "desserts", Name: "Desserts"},
	{CategoryID: "drinks", Name: "Drinks"},
}

// The allergens and diets the opening menu uses.
var (
	gluten, eggs, milk, celery = menu.Gluten, menu.Eggs, menu.Milk, menu.Celery
	vegetarian, vegan, gf      = menu.Vegetarian, menu.Vegan, menu.GlutenFree
)

func contains(a ...menu.Allergen) []menu.Allergen { return a }
func suits(d ...menu.Diet) []menu.Diet            { return d }

// dishes is the opening menu, by category.
var dishes = []menu.AddMenuItem{
	{ItemID: "bruschetta", Name: "Bruschetta", CategoryID: "starters", Price: domain.Cents(650), Description: "Grilled sourdough, tomatoes, garlic, basil, olive oil.",
		Allergens: contains(gluten), Diets: suits(vegan)},
	{ItemID: "burrata", Name: "Burrata", CategoryID: "starters", Price: domain.Cents(1150), Description: "Creamy burrata, roasted peppers, rocket, toasted bread.",
		Allergens: contains(gluten, milk), Diets: suits(vegetarian)},
	{ItemID: "arancini", Name: "Arancini", CategoryID: "starters", Price: domain.Cents(750), Description: "Three saffron rice balls filled with mozzarella and peas.",
		Allergens: contains(gluten, eggs, milk), Diets: suits(vegetarian)},
	{ItemID: "minestrone", Name: "Minestrone", CategoryID: "starters", Price: domain.Cents(700), Description: "Seasonal vegetable soup with borlotti beans and pesto.",
		Allergens: contains(milk, celery), Diets: suits(vegetarian, gf)},
	{ItemID: "margherita", Name: "Margherita", CategoryID: "pizza", Price: domain.Cents(1100), Description: "Tomato, fior di latte, basil, olive oil.",
		Allergens: contains(gluten, milk), Diets: suits(vegetarian)},
	{ItemID: "diavola", Name: "Diavola", CategoryID: "pizza", Price: domain.Cents(1350), Description: "Tomato, mozzarella, spicy salami, chilli oil.",
		Allergens: contains(gluten, milk)},
	{ItemID: "quattro-formaggi", Name: "Quattro formaggi", CategoryID: "pizza", Price: domain.Cents(1400), Description: "Mozzarella, gorgonzola, fontina, parmigiano.",
		Allergens: contains(gluten, milk), Diets: suits(vegetarian)},
	{ItemID: "funghi", Name: "Funghi", CategoryID: "pizza", Price: domain.Cents(1300), Description: "Tomato, mozzarella, roasted mushrooms, thyme.",
		Allergens: contains(gluten, milk), Diets: suits(vegetarian)},
	{ItemID: "margherita-gf", Name: "Gluten-free margherita", CategoryID: "pizza", Price: domain.Cents(1250),
		Description: "Tomato, fior di latte and basil on a certified gluten-free base, baked on its own tray.",
		Allergens:   contains(milk), Diets: suits(vegetarian, gf)},
	{ItemID: "carbonara", Name: "Spaghetti carbonara", CategoryID: "pasta", Price: domain.Cents(1450), Description: "Guanciale, egg yolk, pecorino romano, black pepper.",
		Allergens: contains(gluten, eggs, milk)},
	{ItemID: "cacio-e-pepe", Name: "Cacio e pepe", CategoryID: "pasta", Price: domain.Cents(1300), Description: "Tonnarelli, pecorino romano, black pepper.",
		Allergens: contains(gluten, eggs, milk), Diets: suits(vegetarian)},
	{ItemID: "pesto", Name: "Trofie al pesto", CategoryID: "pasta", Price: domain.Cents(1350), Description: "Basil pesto, green beans, potatoes, pine nuts.",
		Allergens: contains(gluten, milk), Diets: suits(vegetarian)},
	{ItemID: "tiramisu", Name: "Tiramisù", CategoryID: "desserts", Price: domain.Cents(750), Description: "Mascarpone, espresso, savoiardi, cocoa.",
		Allergens: contains(gluten, eggs, milk), Diets: suits(vegetarian)},
	{ItemID: "panna-cotta", Name: "Panna cotta", CategoryID: "desserts", Price: domain.Cents(700), Description: "Vanilla panna cotta with berry compote.",
		Allergens: contains(milk), Diets: suits(gf)},
	{ItemID: "lemonade", Name: "House lemonade", CategoryID: "drinks", Price: domain.Cents(450), Description: "Lemons, mint, sparkling water.",
		Diets: suits(vegan, gf)},
	{ItemID: "espresso", Name: "Espresso", CategoryID: "drinks", Price: domain.Cents(280), Diets: suits(vegan, gf)},
	{ItemID: "sparkling-water", Name: "Sparkling water", CategoryID: "drinks", Price: domain.Cents(350), Description: "75 cl bottle.", Diets: suits(vegan, gf)},
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
	"margherita-gf":    pizzaOptions,
	"lemonade": {
		menu.AddOptionGroup{GroupID: "size", Name: "Size", Required: true, Min: 1, Max: 1},
		menu.AddOptionChoice{GroupID: "size", ChoiceID: "glass", Name: "Glass", PriceChange: domain.Cents(0)},
		menu.AddOptionChoice{GroupID: "size", ChoiceID: "jug", Name: "Jug", PriceChange: domain.Cents(600)},
	},
}

// prepMinutes are how long the dishes of each category take to make.
var prepMinutes = map[string]int{"starters": 6, "pizza": 12, "pasta": 10, "desserts": 4, "drinks": 2}

// namespace makes the seed's command ids: the same on every start and in
// every process, so seeding twice, or from two processes at once, adds
// each category and dish once.
var namespace = uuid.MustParse("0f7b5a8e-3c1d-4e2a-9b6f-8d4c2e1a7b35")

func seedMeta(name string) eventstore.Metadata {
	return eventstore.Metadata{CommandID: uuid.NewSHA1(namespace, []byte(name)), Actor: "system:demo-menu"}
}

// SeedMenu adds the opening menu if the restaurant has never had one: its
// categories first, then each dish filed under one.
func SeedMenu(ctx context.Context, store *eventstore.Store) (added int, err error) {
	empty, err := store.NoStreamWithPrefix(ctx, menu.StreamPrefix)
	if err != nil || !empty {
		return 0, err
	}
	for _, c := range categories {
		if _, err := eventstore.HandleScoped(ctx, store, menu.CategoriesStream, menu.Catalogue, menu.CategoriesDecider,
			seedMeta("category "+c.CategoryID), menu.CategoryCommand(c)); err != nil {
			return added, fmt.Errorf("demo menu: category %s: %w", c.Name, err)
		}
	}
	for _, d := range dishes {
		res, err := eventstore.HandleGuardedBy(ctx, store, menu.Stream(d.ItemID), menu.Catalogue, menu.Decider, seedMeta(d.ItemID),
			func(facts []eventstore.RecordedEvent) menu.Command {
				return menu.Filed(d, eventstore.Fold(menu.EvolveCategories, facts))
			})
		if err != nil {
			return added, fmt.Errorf("demo menu: %s: %w", d.Name, err)
		}
		if !res.Duplicate {
			added++
		}
		for i, c := range slices.Concat(options[d.ItemID], []menu.Command{menu.SetPrepTime{Minutes: prepMinutes[d.CategoryID]}}) {
			meta := eventstore.Metadata{CommandID: uuid.NewSHA1(namespace, fmt.Appendf(nil, "%s option %d", d.ItemID, i)), Actor: "system:demo-menu"}
			if _, err := eventstore.Handle(ctx, store, menu.Stream(d.ItemID), menu.Decider, meta, c); err != nil {
				return added, fmt.Errorf("demo menu: %s: options and prep time: %w", d.Name, err)
			}
		}
	}
	return added, nil
}

// DishIDs are the opening menu's dishes, in the menu's order.
func DishIDs() []string {
	ids := make([]string, len(dishes))
	for i, d := range dishes {
		ids[i] = d.ItemID
	}
	return ids
}
