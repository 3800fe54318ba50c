// Package decidertest checks the decisions of the domain's deciders in
// given/when/then tests, one way for every bounded context.
package decidertest

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"restaurant/domain"
)

// Want is what a case expects of a decision: the events Then, or, when Code
// is set, a refusal with that code (on Field, for invalid input) whose
// message is a full sentence holding Message.
type Want struct {
	Then    []domain.Event
	Code    string
	Field   string
	Message string
}

// Check compares a decision with what the case wants, and prints both sides
// when they differ.
func Check(tb testing.TB, got []domain.Event, err error, want Want) {
	tb.Helper()
	if want.Code != "" {
		var de *domain.Error
		if !errors.As(err, &de) {
			tb.Fatalf("want %s error, got events %#v, err %v", want.Code, got, err)
		}
		if de.Code != want.Code || (want.Code == domain.EINVALID && de.Field != want.Field) {
			tb.Fatalf("want %s error on field %q, got %s on field %q (%s)", want.Code, want.Field, de.Code, de.Field, de.Message)
		}
		if de.Message == "" || !strings.HasSuffix(de.Message, ".") || strings.ToUpper(de.Message[:1]) != de.Message[:1] {
			tb.Errorf("message %q should be a full sentence", de.Message)
		}
		if !strings.Contains(de.Message, want.Message) {
			tb.Errorf("message %q should say %q", de.Message, want.Message)
		}
		if got != nil {
			tb.Errorf("rejection also returned events %#v", got)
		}
		return
	}
	if err != nil {
		tb.Fatalf("want events %#v, got error %v", want.Then, err)
	}
	if len(got) == 0 && len(want.Then) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want.Then) {
		tb.Fatalf("events differ\n got: %#v\nwant: %#v", got, want.Then)
	}
}
