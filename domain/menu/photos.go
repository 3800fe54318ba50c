package menu

import (
	"restaurant/domain"
)

// A dish's photo is known to the menu by its id: the hex of a hash of the
// uploaded image, which the application keeps, with the sizes the pages
// show, outside the event log. The log records the manager's intent.

// PhotoIDLength is the length of a photo id: 32 lowercase hex digits.
const PhotoIDLength = 32

// ChangePhoto shows a dish with the photo of this id.
type ChangePhoto struct {
	PhotoID string
}

// RemovePhoto shows the dish without a photo again.
type RemovePhoto struct{}

func (ChangePhoto) command() {}
func (RemovePhoto) command() {}

// MenuItemPhotoChanged records that a dish is shown with a new photo.
type MenuItemPhotoChanged struct {
	ItemID  string `json:"item_id"`
	PhotoID string `json:"photo_id"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (MenuItemPhotoChanged) EventType() string { return "menu.MenuItemPhotoChanged" }

// MenuItemPhotoRemoved records that a dish is shown without a photo.
type MenuItemPhotoRemoved struct {
	ItemID string `json:"item_id"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (MenuItemPhotoRemoved) EventType() string { return "menu.MenuItemPhotoRemoved" }

// validPhotoID says whether id is a photo id as the application makes them.
func validPhotoID(id string) bool {
	if len(id) != PhotoIDLength {
		return false
	}
	for _, r := range id {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

// decidePhoto changes or removes an existing dish's photo; the same photo
// again, or no photo removed, decides nothing.
func decidePhoto(s State, c Command) ([]domain.Event, error) {
	switch c := c.(type) {
	case ChangePhoto:
		if !validPhotoID(c.PhotoID) {
			return nil, domain.Invalid("photo", "That is not a photo of this restaurant's.")
		}
		if s.Photo == c.PhotoID {
			return nil, nil
		}
		return []domain.Event{MenuItemPhotoChanged{ItemID: s.ItemID, PhotoID: c.PhotoID}}, nil
	case RemovePhoto:
		if s.Photo == "" {
			return nil, nil
		}
		return []domain.Event{MenuItemPhotoRemoved{ItemID: s.ItemID}}, nil
	}
	return nil, domain.Invalid("", "This action is not available for photos.")
}
