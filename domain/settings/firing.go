package settings

import "restaurant/domain"

// Fire by prep time: the kitchen holds back each dish of a ticket until it
// must start for the whole order to be ready together (see the kitchen's
// FireTimes). A manager turns it on or off; until then it is on in a
// kitchen of stations, where each station has its own screen and the
// dishes of one order are cooked in several places, and off in a kitchen
// without, whose one display shows every dish of a ticket together.

// FireByPrepTimeSet records that a manager turned fire by prep time on or
// off.
type FireByPrepTimeSet struct {
	On bool `json:"on"`
}

// EventType returns the stable stored name, independent of the Go type name.
func (FireByPrepTimeSet) EventType() string { return "settings.FireByPrepTimeSet" }

// SetFireByPrepTime turns fire by prep time on or off.
type SetFireByPrepTime struct {
	On bool
}

func (SetFireByPrepTime) command() {}

// FiresByPrepTime says whether tickets opened now hold their quicker dishes
// back: as a manager set it, or, until then, whether the kitchen has
// stations.
func (s State) FiresByPrepTime(hasStations bool) bool {
	if s.FireByPrepTime == nil {
		return hasStations
	}
	return *s.FireByPrepTime
}

// FireByPrepTimeChosen says whether a manager chose, rather than the
// default deciding.
func (s State) FireByPrepTimeChosen() bool { return s.FireByPrepTime != nil }

// decideFireByPrepTime records a choice, the first one even when it is
// what the default says: from then on, stations added or removed change
// nothing.
func decideFireByPrepTime(s State, c SetFireByPrepTime) ([]domain.Event, error) {
	if s.FireByPrepTime != nil && *s.FireByPrepTime == c.On {
		return nil, nil
	}
	return []domain.Event{FireByPrepTimeSet(c)}, nil
}
