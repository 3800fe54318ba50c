package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
)

// maxBody bounds what a command may send.
const maxBody = 64 << 10

// input is a command's fields, from a form or a JSON object alike.
type input struct {
	json   bool
	values map[string]string
	// lists are the fields that may hold several values (a group of
	// checkboxes), every value of each: a form's repeated field, or a JSON
	// array of strings. values holds the first.
	lists map[string][]string
	// key is the client's idempotency key: the form's command_id or the
	// Idempotency-Key header.
	key string
	// request is a digest of what was asked: the method, the path and the
	// fields but the key. A key that comes again with another request is
	// refused rather than answered as the first (see eventstore.Metadata).
	request string
}

// listFields are the fields that hold a list: a form's checkboxes send
// one value each, JSON one string of them all, separated by commas
// ("allergens": "milk,eggs"); both arrive as that string.
var listFields = []string{"allergens", "diets"}

// list reads a list field: its values, trimmed, without empty ones.
func (in input) list(name string) []string {
	var out []string
	for _, v := range strings.Split(in.values[name], ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// requestError is a request the server cannot read at all.
type requestError struct {
	status int
	detail string
}

func (e *requestError) Error() string { return e.detail }

func wantsJSON(r *http.Request) bool {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return ct == "application/json" || strings.HasSuffix(ct, "+json")
}

// readInput reads a command's body, bounded in size. JSON values may be
// strings, numbers or booleans; they arrive as the strings a form would send.
func readInput(w http.ResponseWriter, r *http.Request) (input, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	in := input{json: wantsJSON(r), values: map[string]string{}, lists: map[string][]string{}}
	var tooLarge *http.MaxBytesError
	if in.json {
		body, err := io.ReadAll(r.Body)
		if errors.As(err, &tooLarge) {
			return in, &requestError{http.StatusRequestEntityTooLarge, "The request body is too large."}
		}
		if err != nil {
			return in, &requestError{http.StatusBadRequest, "The request body could not be read."}
		}
		if !utf8.Valid(body) || loneSurrogate(body) {
			// encoding/json would store them as U+FFFD without a word.
			return in, &requestError{http.StatusBadRequest, "The request body holds text that is not UTF-8."}
		}
		var raw map[string]json.RawMessage
		dec := json.NewDecoder(bytes.NewReader(body))
		if err := dec.Decode(&raw); err != nil {
			return in, &requestError{http.StatusBadRequest, "The request body is not a JSON object."}
		}
		if dec.More() {
			return in, &requestError{http.StatusBadRequest, "The request body holds more than one JSON value."}
		}
		for k, v := range raw {
			if listField(k) {
				var list []string
				if json.Unmarshal(v, &list) == nil {
					in.values[k], in.lists[k] = first(list), list
					continue
				}
			}
			s, err := scalar(v)
			if err != nil {
				if listField(k) {
					return in, &requestError{http.StatusBadRequest, fmt.Sprintf("Field %q must be a string, or an array of strings.", k)}
				}
				return in, &requestError{http.StatusBadRequest, fmt.Sprintf("Field %q must be a string, a number or a boolean.", k)}
			}
			in.values[k] = s
			if listField(k) {
				in.lists[k] = []string{s}
			}
		}
		in.key = r.Header.Get("Idempotency-Key")
	} else {
		if err := r.ParseForm(); err != nil {
			if errors.As(err, &tooLarge) {
				return in, &requestError{http.StatusRequestEntityTooLarge, "The form is too large."}
			}
			return in, &requestError{http.StatusBadRequest, "The form could not be read."}
		}
		for k, vs := range r.PostForm {
			in.values[k] = r.PostForm.Get(k)
			if slices.Contains(listFields, k) {
				in.values[k] = strings.Join(vs, ",")
			}
			if listField(k) {
				in.lists[k] = vs
			}
		}
		in.key = in.values["command_id"]
	}
	if len(in.key) > 200 {
		return in, &requestError{http.StatusBadRequest, "The idempotency key is longer than 200 characters."}
	}
	if err := textOnly(in.values); err != nil {
		return in, err
	}
	for k, vs := range in.lists {
		if err := textOnly(map[string]string{k: strings.Join(vs, "")}); err != nil {
			return in, err
		}
		if len(vs) > maxListValues {
			return in, &requestError{http.StatusBadRequest, fmt.Sprintf("Field %q holds more than %d values.", k, maxListValues)}
		}
	}
	in.request = requestDigest(r.Method, r.URL.Path, in.values, in.lists)
	return in, nil
}

// maxListValues bounds how many values one list field may hold: more than a
// group has choices.
const maxListValues = 50

// listField says whether a field may hold several values: the choices of a
// dish's group of options.
func listField(name string) bool { return strings.HasPrefix(name, ordering.OptionFieldPrefix) }

func first(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[0]
}

// picks are the guest's choices of a dish's options, by group, as the
// form's option fields send them.
func (in input) picks() ordering.Picks {
	picks := ordering.Picks{}
	for k, vs := range in.lists {
		if group, ok := strings.CutPrefix(k, ordering.OptionFieldPrefix); ok {
			picks[group] = vs
		}
	}
	return picks
}

// requestDigest sums up a request's method, path and fields (but the
// idempotency key), whether they came as a form or as JSON; a list field's
// values after its first follow it. Passwords stay out: the digest is
// stored, and must not help anyone guess one.
func requestDigest(method, path string, values map[string]string, lists map[string][]string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", method, path)
	for _, k := range slices.Sorted(maps.Keys(values)) {
		if k != "command_id" && !strings.Contains(k, "password") {
			fmt.Fprintf(h, "%q=%q\n", k, values[k])
			for _, v := range lists[k][min(1, len(lists[k])):] {
				fmt.Fprintf(h, "%q+=%q\n", k, v)
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// loneSurrogate says whether JSON text escapes half of a UTF-16 surrogate
// pair ("\ud800" alone), which stands for no character at all.
func loneSurrogate(b []byte) bool {
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 >= len(b) {
			continue
		}
		if b[i+1] != 'u' {
			i++ // an escaped character: skip it, a backslash included
			continue
		}
		r, ok := hex4(b[i+2:])
		switch {
		case !ok:
			return false // not JSON; the decoder says so
		case r >= 0xDC00 && r <= 0xDFFF:
			return true
		case r >= 0xD800 && r <= 0xDBFF:
			next := b[i+6:]
			if len(next) < 2 || next[0] != '\\' || next[1] != 'u' {
				return true
			}
			if low, ok := hex4(next[2:]); !ok || low < 0xDC00 || low > 0xDFFF {
				return true
			}
			i += 11
		default:
			i += 5
		}
	}
	return false
}

// hex4 reads four hexadecimal digits.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[:4]), 16, 16)
	return rune(n), err == nil
}

// textOnly refuses a field that is not text: a NUL character or bytes that
// are not UTF-8. PostgreSQL stores neither in text, so such a value would
// fail at the database, or be stored in an event no read model can apply.
// Fields are checked in name order, so the same input names the same field.
func textOnly(values map[string]string) error {
	names := slices.Sorted(maps.Keys(values))
	for _, k := range names {
		v := values[k]
		if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			return &requestError{http.StatusBadRequest, fmt.Sprintf("Field %q holds characters that are not text.", k)}
		}
	}
	return nil
}

func scalar(v json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(v, &n); err == nil {
		return n.String(), nil
	}
	var b bool
	if err := json.Unmarshal(v, &b); err == nil {
		return strconv.FormatBool(b), nil
	}
	return "", errors.New("not a scalar")
}

// idempotencyNamespace scopes clients' keys; the guest's id scopes them
// further, so one guest's key can never replay another's command.
var idempotencyNamespace = uuid.MustParse("6f1c9a52-7d0e-4c8b-9a53-2b7f0c4e9d11")

// commandID turns the client's key into the command's id. Without a key
// (a JSON client that sent none) every request is a new command.
func (in input) commandID(scope string) uuid.UUID {
	if in.key == "" {
		return uuid.New()
	}
	return uuid.NewSHA1(idempotencyNamespace, []byte(scope+"\x00"+in.key))
}

// meta is the metadata of the command the request carries, for an actor
// whose keys are scoped by scope.
func (in input) meta(scope, actor string) eventstore.Metadata {
	return eventstore.Metadata{CommandID: in.commandID(scope), Actor: actor, Request: in.request}
}

// quantity parses a quantity field for people: whole numbers only.
func (in input) quantity() (int, error) {
	s := strings.TrimSpace(in.values["quantity"])
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, domain.Invalid("quantity", "Quantity must be a whole number between 1 and 99.")
	}
	return n, nil
}

// flag reads a checkbox, labelled label on the form: a form sends "on"
// (or "1", "true") when it is ticked and nothing when it is not; JSON sends
// a boolean, which arrives as "true" or "false". Anything else is a field
// error, not a guess.
func (in input) flag(name, label string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(in.values[name])) {
	case "", "false", "off", "0":
		return false, nil
	case "on", "true", "1":
		return true, nil
	}
	return false, domain.Invalid(name, "Either tick “%s” or leave it empty.", label)
}
