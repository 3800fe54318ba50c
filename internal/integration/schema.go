package integration

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
)

// Schema is the part of JSON Schema (draft 2020-12) the contract uses,
// generated from a message type's Go struct by reflection: object
// properties from the json tags (a field with omitempty or omitzero is
// optional, every other one required), descriptions from doc tags, and
// allowed values from enum tags.
type Schema struct {
	Schema               string             `json:"$schema,omitempty"`
	ID                   string             `json:"$id,omitempty"`
	Title                string             `json:"title,omitempty"`
	Description          string             `json:"description,omitempty"`
	Type                 string             `json:"type"`
	Format               string             `json:"format,omitempty"`
	Enum                 []string           `json:"enum,omitempty"`
	Properties           map[string]*Schema `json:"properties,omitempty"`
	Required             []string           `json:"required,omitempty"`
	AdditionalProperties *bool              `json:"additionalProperties,omitempty"`
	Items                *Schema            `json:"items,omitempty"`
}

// Draft is the JSON Schema dialect of every schema here.
const Draft = "https://json-schema.org/draft/2020-12/schema"

// SchemaOf is the JSON Schema of a message type, from its example value.
func SchemaOf(s Spec) (*Schema, error) {
	sc, err := reflectSchema(reflect.TypeOf(s.Example))
	if err != nil {
		return nil, fmt.Errorf("schema of %s: %w", s.Type, err)
	}
	sc.Schema, sc.ID, sc.Title, sc.Description = Draft, "urn:restaurant:events:"+s.Type, s.Type, s.Meaning
	return sc, nil
}

// SchemaJSON is a type's schema as the catalogue writes it: indented, with
// a final newline.
func SchemaJSON(s Spec) ([]byte, error) {
	sc, err := SchemaOf(s)
	if err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(sc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("schema of %s: %w", s.Type, err)
	}
	return append(b, '\n'), nil
}

var timeType = reflect.TypeFor[time.Time]()

func reflectSchema(t reflect.Type) (*Schema, error) {
	switch {
	case t == timeType:
		return &Schema{Type: "string", Format: "date-time"}, nil
	case t.Kind() == reflect.String:
		return &Schema{Type: "string"}, nil
	case t.Kind() == reflect.Bool:
		return &Schema{Type: "boolean"}, nil
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return &Schema{Type: "integer"}, nil
	case t.Kind() == reflect.Slice:
		items, err := reflectSchema(t.Elem())
		if err != nil {
			return nil, err
		}
		return &Schema{Type: "array", Items: items}, nil
	case t.Kind() == reflect.Struct:
		closed := false
		sc := &Schema{Type: "object", Properties: map[string]*Schema{}, AdditionalProperties: &closed}
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" || name == "" {
				return nil, fmt.Errorf("field %s.%s has no json name", t.Name(), f.Name)
			}
			p, err := reflectSchema(f.Type)
			if err != nil {
				return nil, err
			}
			p.Description = f.Tag.Get("doc")
			if enum, ok := f.Tag.Lookup("enum"); ok {
				p.Enum = strings.Split(enum, ",")
			}
			sc.Properties[name] = p
			optional := slices.ContainsFunc(strings.Split(opts, ","), func(o string) bool { return o == "omitempty" || o == "omitzero" })
			if !optional {
				sc.Required = append(sc.Required, name)
			}
		}
		return sc, nil
	}
	return nil, fmt.Errorf("no JSON Schema for Go type %s", t)
}

// Validate checks a JSON document against a schema of this package's
// subset, and says every way it does not conform.
func Validate(sc *Schema, doc []byte) error {
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	var problems []string
	validate(sc, v, "$", &problems)
	if len(problems) > 0 {
		return fmt.Errorf("does not conform: %s", strings.Join(problems, "; "))
	}
	return nil
}

func validate(sc *Schema, v any, at string, problems *[]string) {
	bad := func(format string, args ...any) { *problems = append(*problems, at+": "+fmt.Sprintf(format, args...)) }
	switch sc.Type {
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			bad("want an object, got %T", v)
			return
		}
		for _, name := range sc.Required {
			if _, ok := obj[name]; !ok {
				bad("%q is required", name)
			}
		}
		for name, val := range obj {
			p, ok := sc.Properties[name]
			if !ok {
				if sc.AdditionalProperties != nil && !*sc.AdditionalProperties {
					bad("%q is not allowed", name)
				}
				continue
			}
			validate(p, val, at+"."+name, problems)
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			bad("want an array, got %T", v)
			return
		}
		for i, item := range arr {
			validate(sc.Items, item, fmt.Sprintf("%s[%d]", at, i), problems)
		}
	case "string":
		s, ok := v.(string)
		if !ok {
			bad("want a string, got %T", v)
			return
		}
		if sc.Format == "date-time" {
			if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
				bad("not a date-time: %q", s)
			}
		}
		if len(sc.Enum) > 0 && !slices.Contains(sc.Enum, s) {
			bad("%q is not one of %q", s, sc.Enum)
		}
	case "integer":
		n, ok := v.(float64)
		if !ok || n != float64(int64(n)) {
			bad("want an integer, got %v", v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			bad("want a boolean, got %T", v)
		}
	default:
		bad("schema type %q is not supported", sc.Type)
	}
}
