package eventstore

import (
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"restaurant/domain"
)

// Personal data in events is sealed field by field: each string field tagged
// `personal:"true"` is stored as sealedPrefix followed by the base64 of a
// random nonce and the AES-256-GCM ciphertext, under the key of the person
// the event names (domain.Personal), with the person's id as additional
// data, so a sealed value moved to another person's event does not open.
// Empty fields stay empty. A value without the prefix was written before
// sealing and reads as it is.
const sealedPrefix = "sealed:v1:"

// ErrErased says a person's key is gone: nothing personal of theirs can be
// written or read again.
var ErrErased = errors.New("the person was erased")

// personalFields finds the index paths of the string fields tagged
// personal, also inside nested structs.
func personalFields(t reflect.Type) [][]int {
	var paths [][]int
	for i := range t.NumField() {
		f := t.Field(i)
		switch {
		case f.Tag.Get("personal") == "true":
			if f.Type.Kind() != reflect.String {
				panic(fmt.Sprintf("eventstore: %s.%s: only string fields can be personal", t, f.Name))
			}
			paths = append(paths, []int{i})
		case f.Type.Kind() == reflect.Struct:
			for _, sub := range personalFields(f.Type) {
				paths = append(paths, append([]int{i}, sub...))
			}
		}
	}
	return paths
}

// seal returns a copy of e with its personal fields sealed by aead.
func seal(e domain.Event, paths [][]int, aead cipher.AEAD, subject string) domain.Event {
	v := reflect.New(reflect.TypeOf(e)).Elem()
	v.Set(reflect.ValueOf(e))
	for _, p := range paths {
		f := v.FieldByIndex(p)
		if f.String() == "" {
			continue
		}
		nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(f.String())+aead.Overhead())
		_, _ = rand.Read(nonce) // crypto/rand never fails
		f.SetString(sealedPrefix + base64.RawStdEncoding.EncodeToString(aead.Seal(nonce, nonce, []byte(f.String()), []byte(subject))))
	}
	return v.Interface().(domain.Event)
}

// sealedSubject is the person whose key a decoded event's sealed fields
// need, "" when it has none sealed.
func sealedSubject(e domain.Event, paths [][]int) string {
	p, ok := e.(domain.Personal)
	if !ok || p.DataSubject() == "" {
		return ""
	}
	v := reflect.ValueOf(e)
	for _, path := range paths {
		if strings.HasPrefix(v.FieldByIndex(path).String(), sealedPrefix) {
			return p.DataSubject()
		}
	}
	return ""
}

// open returns a copy of e with its sealed fields opened by aead. With no
// key (nil aead), or a value that does not open with it, a field reads as
// "" and erased is true: its person was erased.
func open(e domain.Event, paths [][]int, aead cipher.AEAD, subject string) (opened domain.Event, erased bool) {
	v := reflect.New(reflect.TypeOf(e)).Elem()
	v.Set(reflect.ValueOf(e))
	for _, p := range paths {
		f := v.FieldByIndex(p)
		sealed, ok := strings.CutPrefix(f.String(), sealedPrefix)
		if !ok {
			continue
		}
		plain, err := openValue(aead, sealed, subject)
		if err != nil {
			erased = true
		}
		f.SetString(plain)
	}
	return v.Interface().(domain.Event), erased
}

func openValue(aead cipher.AEAD, sealed, subject string) (string, error) {
	if aead == nil {
		return "", ErrErased
	}
	raw, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil || len(raw) < aead.NonceSize() {
		return "", ErrErased
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(subject))
	if err != nil {
		return "", ErrErased
	}
	return string(plain), nil
}

// hasPersonalData says whether any personal field of e is filled in.
func hasPersonalData(e domain.Event, paths [][]int) bool {
	v := reflect.ValueOf(e)
	for _, p := range paths {
		if v.FieldByIndex(p).String() != "" {
			return true
		}
	}
	return false
}
