package kitchen

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"restaurant/domain"
)

// DefaultStationName is what the screens call the kitchen while no station
// is defined: every dish is cooked in one place.
const DefaultStationName = "Kitchen"

// MaxStationNameLength is the most runes a station's name may have.
const MaxStationNameLength = 40

// Station is one place in the kitchen that cooks its own dishes: those of
// the menu categories and the single dishes routed to it.
type Station struct {
	ID         string
	Name       string
	Categories []string // menu category ids, in the order they were routed
	Dishes     []string // menu item ids, in the order they were routed
}

// routed says whether the station has any route.
func (s Station) routed() bool { return len(s.Categories)+len(s.Dishes) > 0 }

// Stations is the kitchen's list of stations, in the order they were
// added, as the stations stream makes it. The first is the default
// station: it cooks every dish routed nowhere. Names keeps the last name of
// every station ever added, removed ones too, so history can name them.
// The zero value is a kitchen with no stations.
type Stations struct {
	list  []Station
	names map[string]string
}

// stationsJSON is how Stations encode: the event store keeps snapshots of
// them.
type stationsJSON struct {
	List  []Station         `json:"list"`
	Names map[string]string `json:"names"`
}

// MarshalJSON encodes the stations with their names, also of those removed.
func (s Stations) MarshalJSON() ([]byte, error) {
	return json.Marshal(stationsJSON{List: s.list, Names: s.names})
}

// UnmarshalJSON decodes what MarshalJSON encoded.
func (s *Stations) UnmarshalJSON(b []byte) error {
	var j stationsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	s.list, s.names = j.List, j.Names
	return nil
}

// List is every station, the default first.
func (s Stations) List() []Station { return slices.Clone(s.list) }

// Find returns a station by id.
func (s Stations) Find(id string) (Station, bool) {
	if i := s.index(id); i >= 0 {
		return s.list[i], true
	}
	return Station{}, false
}

// Name is a station's name, also of one removed since; "" for an id never
// added. The station "" is the whole kitchen (tickets opened before there
// were stations, or while there were none): DefaultStationName.
func (s Stations) Name(id string) string {
	if id == "" {
		return DefaultStationName
	}
	return s.names[id]
}

// Default is the station that cooks what is routed nowhere: the first on
// the list. ok is false while no station is defined.
func (s Stations) Default() (Station, bool) {
	if len(s.list) == 0 {
		return Station{}, false
	}
	return s.list[0], true
}

// Route is the station that cooks the dish dishID of the category
// categoryID: the dish's own route, else its category's, else the default
// station; "" while no station is defined.
func (s Stations) Route(dishID, categoryID string) string {
	for _, st := range s.list {
		if dishID != "" && slices.Contains(st.Dishes, dishID) {
			return st.ID
		}
	}
	for _, st := range s.list {
		if categoryID != "" && slices.Contains(st.Categories, categoryID) {
			return st.ID
		}
	}
	if d, ok := s.Default(); ok {
		return d.ID
	}
	return ""
}

// Cooks says whether the station id cooks a ticket's dish routed to
// station: its own dishes, and on the default station the dishes of
// tickets opened while there were no stations (routed to "") or sent to a
// station removed since.
func (s Stations) Cooks(id, station string) bool {
	if station == id {
		return true
	}
	d, ok := s.Default()
	if !ok || d.ID != id {
		return false
	}
	return s.index(station) < 0
}

func (s Stations) index(id string) int {
	return slices.IndexFunc(s.list, func(st Station) bool { return st.ID == id })
}

// StationCommand is a request to change the stations. It is sealed so
// that DecideStations handles every kind.
type StationCommand interface{ stationCommand() }

// AddStation puts a new station at the end of the list; the caller chooses
// its id, so this package stays free of randomness.
type AddStation struct {
	StationID string
	Name      string
}

// RenameStation gives a station another name.
type RenameStation struct {
	StationID string
	Name      string
}

// RemoveStation takes a station without routes off the list.
type RemoveStation struct {
	StationID string
}

// RouteCategory sends the dishes of a menu category to a station.
type RouteCategory struct {
	StationID  string
	CategoryID string
}

// RouteDish sends one dish to a station, whatever its category's route.
type RouteDish struct {
	StationID string
	DishID    string
}

// Unroute takes one of the station's routes away: a category's, or a
// dish's (exactly one of the two is given).
type Unroute struct {
	StationID  string
	CategoryID string
	DishID     string
}

func (AddStation) stationCommand()    {}
func (RenameStation) stationCommand() {}
func (RemoveStation) stationCommand() {}
func (RouteCategory) stationCommand() {}
func (RouteDish) stationCommand()     {}
func (Unroute) stationCommand()       {}

// EvolveStations applies one event of the stations; other events leave them
// as they were. It never changes the list it is given.
func EvolveStations(s Stations, e domain.Event) Stations {
	switch e := e.(type) {
	case StationAdded:
		s.list = append(slices.Clip(s.list), Station{ID: e.StationID, Name: e.Name})
		s.names = s.withName(e.StationID, e.Name)
	case StationRenamed:
		s = s.change(e.StationID, func(st *Station) { st.Name = e.Name })
		s.names = s.withName(e.StationID, e.Name)
	case StationRemoved:
		if i := s.index(e.StationID); i >= 0 {
			s.list = slices.Delete(slices.Clone(s.list), i, i+1)
		}
	case CategoryRouted:
		s = s.unroute(e.CategoryID, "").change(e.StationID, func(st *Station) { st.Categories = append(slices.Clip(st.Categories), e.CategoryID) })
	case DishRouted:
		s = s.unroute("", e.DishID).change(e.StationID, func(st *Station) { st.Dishes = append(slices.Clip(st.Dishes), e.DishID) })
	case CategoryUnrouted:
		s = s.unroute(e.CategoryID, "")
	case DishUnrouted:
		s = s.unroute("", e.DishID)
	}
	return s
}

// withName is the names with id called name, in a new map.
func (s Stations) withName(id, name string) map[string]string {
	names := make(map[string]string, len(s.names)+1)
	for k, v := range s.names {
		names[k] = v
	}
	names[id] = name
	return names
}

// change applies f to a copy of the station id.
func (s Stations) change(id string, f func(*Station)) Stations {
	if i := s.index(id); i >= 0 {
		s.list = slices.Clone(s.list)
		f(&s.list[i])
	}
	return s
}

// unroute takes the category or the dish off every station.
func (s Stations) unroute(categoryID, dishID string) Stations {
	list := slices.Clone(s.list)
	for i, st := range list {
		if categoryID != "" {
			list[i].Categories = slices.DeleteFunc(slices.Clone(st.Categories), func(c string) bool { return c == categoryID })
		}
		if dishID != "" {
			list[i].Dishes = slices.DeleteFunc(slices.Clone(st.Dishes), func(d string) bool { return d == dishID })
		}
	}
	s.list = list
	return s
}

// DecideStations checks a command against the stations and returns the
// events it causes, or a *domain.Error a manager can read. A command whose
// effect is in place already decides nothing.
func DecideStations(s Stations, cmd StationCommand) ([]domain.Event, error) {
	if add, ok := cmd.(AddStation); ok {
		return decideAddStation(s, add)
	}
	id := stationIDOf(cmd)
	st, ok := s.Find(id)
	if !ok {
		return nil, domain.NotFound("There is no such station.")
	}
	switch cmd := cmd.(type) {
	case RenameStation:
		name, err := checkStationName(s, cmd.Name, id)
		if err != nil || name == st.Name {
			return nil, err
		}
		return []domain.Event{StationRenamed{StationID: id, Name: name}}, nil
	case RemoveStation:
		if st.routed() {
			return nil, domain.Conflict("%s still has routes: take them away, or route them to another station, first.", st.Name)
		}
		return []domain.Event{StationRemoved{StationID: id}}, nil
	case RouteCategory:
		if strings.TrimSpace(cmd.CategoryID) == "" {
			return nil, domain.Invalid("category_id", "Choose a category to route.")
		}
		if slices.Contains(st.Categories, cmd.CategoryID) {
			return nil, nil
		}
		return []domain.Event{CategoryRouted{StationID: id, CategoryID: cmd.CategoryID}}, nil
	case RouteDish:
		if strings.TrimSpace(cmd.DishID) == "" {
			return nil, domain.Invalid("dish_id", "Choose a dish to route.")
		}
		if slices.Contains(st.Dishes, cmd.DishID) {
			return nil, nil
		}
		return []domain.Event{DishRouted{StationID: id, DishID: cmd.DishID}}, nil
	case Unroute:
		return decideUnroute(st, cmd)
	}
	return nil, domain.Invalid("", "This action is not available for stations.")
}

func decideAddStation(s Stations, cmd AddStation) ([]domain.Event, error) {
	if !stationID.MatchString(cmd.StationID) {
		return nil, domain.Invalid("station_id", "The station needs an id of lowercase letters, digits and dashes.")
	}
	if _, taken := s.names[cmd.StationID]; taken {
		return nil, domain.Conflict("This station was added already.")
	}
	name, err := checkStationName(s, cmd.Name, "")
	if err != nil {
		return nil, err
	}
	return []domain.Event{StationAdded{StationID: cmd.StationID, Name: name}}, nil
}

func decideUnroute(st Station, cmd Unroute) ([]domain.Event, error) {
	switch {
	case cmd.CategoryID != "" && cmd.DishID != "", cmd.CategoryID == "" && cmd.DishID == "":
		return nil, domain.Invalid("", "Say which one route to take away: a category or a dish.")
	case cmd.CategoryID != "":
		if !slices.Contains(st.Categories, cmd.CategoryID) {
			return nil, nil
		}
		return []domain.Event{CategoryUnrouted{StationID: st.ID, CategoryID: cmd.CategoryID}}, nil
	}
	if !slices.Contains(st.Dishes, cmd.DishID) {
		return nil, nil
	}
	return []domain.Event{DishUnrouted{StationID: st.ID, DishID: cmd.DishID}}, nil
}

func stationIDOf(cmd StationCommand) string {
	switch cmd := cmd.(type) {
	case RenameStation:
		return cmd.StationID
	case RemoveStation:
		return cmd.StationID
	case RouteCategory:
		return cmd.StationID
	case RouteDish:
		return cmd.StationID
	case Unroute:
		return cmd.StationID
	}
	return ""
}

// stationID is the shape of every station id.
var stationID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,60}$`)

// checkStationName tidies a name (trimmed, inner spaces single) and checks
// it: given, not too long, no control characters, and no other station
// (but except) of that name in any case.
func checkStationName(s Stations, name, except string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	switch {
	case name == "":
		return "", domain.Invalid("name", "Please give the station a name.")
	case utf8.RuneCountInString(name) > MaxStationNameLength:
		return "", domain.Invalid("name", "The name can be at most %d characters long.", MaxStationNameLength)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", domain.Invalid("name", "The name may not hold control characters.")
	}
	for _, st := range s.list {
		if st.ID != except && strings.EqualFold(st.Name, name) {
			return "", domain.Invalid("name", "There is a station called %s already.", st.Name)
		}
	}
	return name, nil
}
