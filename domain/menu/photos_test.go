package menu

import (
	"strings"
	"testing"

	"restaurant/domain"
)

const photo = "0123456789abcdef0123456789abcdef"

func TestPhotos(t *testing.T) {
	withPhoto := MenuItemPhotoChanged{ItemID: id, PhotoID: photo}
	other := strings.Repeat("f", PhotoIDLength)
	for _, tc := range []spec{
		{name: "a first photo", given: []domain.Event{added}, when: ChangePhoto{PhotoID: photo}, then: []domain.Event{withPhoto}},
		{name: "another photo", given: []domain.Event{added, withPhoto}, when: ChangePhoto{PhotoID: other},
			then: []domain.Event{MenuItemPhotoChanged{ItemID: id, PhotoID: other}}},
		{name: "the same photo again", given: []domain.Event{added, withPhoto}, when: ChangePhoto{PhotoID: photo}},
		{name: "removed", given: []domain.Event{added, withPhoto}, when: RemovePhoto{}, then: []domain.Event{MenuItemPhotoRemoved{ItemID: id}}},
		{name: "removed when there is none", given: []domain.Event{added}, when: RemovePhoto{}},
		{name: "removed twice", given: []domain.Event{added, withPhoto, MenuItemPhotoRemoved{ItemID: id}}, when: RemovePhoto{}},
		{name: "not a photo id", given: []domain.Event{added}, when: ChangePhoto{PhotoID: "../../etc/passwd"}, wantErr: domain.EINVALID, wantField: "photo"},
		{name: "capital hex", given: []domain.Event{added}, when: ChangePhoto{PhotoID: strings.ToUpper(photo)}, wantErr: domain.EINVALID, wantField: "photo"},
		{name: "too short", given: []domain.Event{added}, when: ChangePhoto{PhotoID: photo[:31]}, wantErr: domain.EINVALID, wantField: "photo"},
		{name: "no such dish", when: ChangePhoto{PhotoID: photo}, wantErr: domain.ENOTFOUND},
		{name: "a removed dish", given: []domain.Event{added, MenuItemRemoved{ItemID: id}}, when: ChangePhoto{PhotoID: photo}, wantErr: domain.ECONFLICT},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
	s := Evolve(Evolve(State{}, added), withPhoto)
	if s.Photo != photo {
		t.Fatalf("the photo is %q after it changed", s.Photo)
	}
	if s = Evolve(s, MenuItemPhotoRemoved{ItemID: id}); s.Photo != "" {
		t.Fatalf("the photo is %q after it was removed", s.Photo)
	}
}
