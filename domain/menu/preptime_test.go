package menu

import (
	"testing"

	"restaurant/domain"
)

func TestPrepTimes(t *testing.T) {
	twelve := MenuItemPrepTimeSet{ItemID: id, Minutes: 12}
	for _, tc := range []spec{
		{name: "a first prep time", given: []domain.Event{added}, when: SetPrepTime{Minutes: 12}, then: []domain.Event{twelve}},
		{name: "another", given: []domain.Event{added, twelve}, when: SetPrepTime{Minutes: 4}, then: []domain.Event{MenuItemPrepTimeSet{ItemID: id, Minutes: 4}}},
		{name: "the same again", given: []domain.Event{added, twelve}, when: SetPrepTime{Minutes: 12}},
		{name: "the shortest", given: []domain.Event{added}, when: SetPrepTime{Minutes: MinPrepMinutes}, then: []domain.Event{MenuItemPrepTimeSet{ItemID: id, Minutes: 1}}},
		{name: "the longest", given: []domain.Event{added}, when: SetPrepTime{Minutes: MaxPrepMinutes}, then: []domain.Event{MenuItemPrepTimeSet{ItemID: id, Minutes: 120}}},
		{name: "no time", given: []domain.Event{added}, when: SetPrepTime{Minutes: 0}, wantErr: domain.EINVALID, wantField: "prep_minutes"},
		{name: "negative", given: []domain.Event{added}, when: SetPrepTime{Minutes: -5}, wantErr: domain.EINVALID, wantField: "prep_minutes"},
		{name: "past two hours", given: []domain.Event{added}, when: SetPrepTime{Minutes: 121}, wantErr: domain.EINVALID, wantField: "prep_minutes"},
		{name: "no such dish", when: SetPrepTime{Minutes: 12}, wantErr: domain.ENOTFOUND},
		{name: "a removed dish", given: []domain.Event{added, MenuItemRemoved{ItemID: id}}, when: SetPrepTime{Minutes: 12}, wantErr: domain.ECONFLICT},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
	s := Evolve(State{}, added)
	if s.PrepMinutes() != DefaultPrepMinutes {
		t.Fatalf("a dish never timed takes %d minutes", s.PrepMinutes())
	}
	if s = Evolve(s, twelve); s.PrepMinutes() != 12 {
		t.Fatalf("a dish of 12 minutes takes %d", s.PrepMinutes())
	}
}
