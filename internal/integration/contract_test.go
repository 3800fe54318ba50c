package integration

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// addGolden writes the golden schema of a type that has none yet: a new
// type or a new version. It never rewrites an existing one.
var addGolden = flag.Bool("add-golden", false, "write testdata/<type>.schema.json for message types that have none yet")

// shape is a schema without its words: what a consumer's code depends on.
func shape(s *Schema) *Schema {
	if s == nil {
		return nil
	}
	c := *s
	c.Title, c.Description, c.ID, c.Schema = "", "", "", ""
	if s.Properties != nil {
		c.Properties = map[string]*Schema{}
		for k, p := range s.Properties {
			c.Properties[k] = shape(p)
		}
	}
	c.Items = shape(s.Items)
	return &c
}

// nextVersion is the type's name with the next version: orders.v1.X gives
// orders.v2.X.
func nextVersion(typ string) string {
	parts := strings.Split(typ, ".")
	if len(parts) != 3 || !strings.HasPrefix(parts[1], "v") {
		return typ + " under a new version"
	}
	n, err := strconv.Atoi(parts[1][1:])
	if err != nil {
		return typ + " under a new version"
	}
	return fmt.Sprintf("%s.v%d.%s", parts[0], n+1, parts[2])
}

func TestNextVersion(t *testing.T) {
	if got := nextVersion("orders.v1.OrderPlaced"); got != "orders.v2.OrderPlaced" {
		t.Fatal(got)
	}
}

func TestEveryExampleConformsToItsSchema(t *testing.T) {
	for _, s := range Specs() {
		sc, err := SchemaOf(s)
		if err != nil {
			t.Fatal(err)
		}
		body, err := json.Marshal(s.Example)
		if err != nil {
			t.Fatal(err)
		}
		if err := Validate(sc, body); err != nil {
			t.Errorf("the example of %s: %v", s.Type, err)
		}
	}
}

func TestTheValidatorRefusesWhatTheSchemaForbids(t *testing.T) {
	sc, err := SchemaOf(Specs()[0])
	if err != nil {
		t.Fatal(err)
	}
	for doc, want := range map[string]string{
		`{"order_id":"x"}`: `"number" is required`,
		`{"order_id":"x","number":1.5,"placed_at":"2026-01-01T00:00:00Z","fulfilment":"pickup","total":{"amount":1,"currency":"EUR"},"lines":[],"contact":{"name":"","email":""}}`:                                      "want an integer",
		`{"order_id":"x","number":1,"placed_at":"yesterday","fulfilment":"pickup","total":{"amount":1,"currency":"EUR"},"lines":[],"contact":{"name":"","email":""}}`:                                                   "not a date-time",
		`{"order_id":"x","number":1,"placed_at":"2026-01-01T00:00:00Z","fulfilment":"drone","total":{"amount":1,"currency":"EUR"},"lines":[],"contact":{"name":"","email":""}}`:                                         "is not one of",
		`{"order_id":"x","number":1,"placed_at":"2026-01-01T00:00:00Z","fulfilment":"pickup","total":{"amount":1,"currency":"EUR"},"lines":[],"contact":{"name":"","email":"","phone":"1"}}`:                            `"phone" is not allowed`,
		`{"order_id":"x","number":1,"placed_at":"2026-01-01T00:00:00Z","fulfilment":"pickup","total":{"amount":1,"currency":"EUR"},"lines":[{"dish_id":"a","name":"A","quantity":1}],"contact":{"name":"","email":""}}`: `"options" is required`,
	} {
		err := Validate(sc, []byte(doc))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", doc, err, want)
		}
	}
}

func TestPublishedTypesKeepTheirShape(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range Specs() {
		file := filepath.Join("testdata", s.Type+".schema.json")
		seen[filepath.Base(file)] = true
		now, err := SchemaOf(s)
		if err != nil {
			t.Fatal(err)
		}
		golden, err := os.ReadFile(file)
		if os.IsNotExist(err) && *addGolden {
			b, err := SchemaJSON(s)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, b, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s has no golden schema (%v): a new type or version is added with go test -run %s -args -add-golden", s.Type, err, t.Name())
			continue
		}
		var was Schema
		if err := json.Unmarshal(golden, &was); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if !reflect.DeepEqual(shape(&was), shape(now)) {
			next := nextVersion(s.Type)
			t.Errorf("the shape of %s changed, but a published version never changes: keep %s as it was and make %s instead", s.Type, s.Type, next)
		}
	}
	golden, _ := filepath.Glob(filepath.Join("testdata", "*.schema.json"))
	for _, f := range golden {
		if !seen[filepath.Base(f)] {
			t.Errorf("%s is no longer in the contract: a published type stays until its consumers have moved", strings.TrimSuffix(filepath.Base(f), ".schema.json"))
		}
	}
}

func TestAShapeChangeIsToldFromAWordingChange(t *testing.T) {
	sc, err := SchemaOf(Specs()[0])
	if err != nil {
		t.Fatal(err)
	}
	reworded, _ := SchemaOf(Specs()[0])
	reworded.Description, reworded.Properties["number"].Description = "other words", "other words"
	if !reflect.DeepEqual(shape(sc), shape(reworded)) {
		t.Fatal("rewording a description counts as a change of shape")
	}
	grown, _ := SchemaOf(Specs()[0])
	grown.Properties["phone"] = &Schema{Type: "string"}
	if reflect.DeepEqual(shape(sc), shape(grown)) {
		t.Fatal("a new property does not count as a change of shape")
	}
	retyped, _ := SchemaOf(Specs()[0])
	retyped.Properties["number"].Type = "string"
	if reflect.DeepEqual(shape(sc), shape(retyped)) {
		t.Fatal("a property's new type does not count as a change of shape")
	}
}

func TestTheCommittedCatalogueIsFresh(t *testing.T) {
	entries, err := Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("..", "..", "docs", "events")
	want := map[string]string{"catalogue.md": string(Markdown(entries))}
	for _, e := range entries {
		want[e.SchemaFile] = e.Schema
	}
	for name, content := range want {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(got) != content {
			t.Errorf("docs/events/%s is not what the code says (%v): run 'go run ./cmd/restaurant events catalogue' and commit the result", name, err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		if _, ok := want[filepath.Base(f)]; !ok {
			t.Errorf("docs/events/%s is of no message type", filepath.Base(f))
		}
	}
}
