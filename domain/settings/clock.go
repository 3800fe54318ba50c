package settings

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"restaurant/domain"
)

// Clock is a time of day in minutes after midnight, from 0 (00:00) to 1440
// (24:00, the end of the day). It reads and writes as "HH:MM", so stored
// hours read as people write them.
type Clock int

// EndOfDay is 24:00, the latest a range may close.
const EndOfDay Clock = 24 * 60

func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// MarshalText writes the clock as "HH:MM".
func (c Clock) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText reads "HH:MM".
func (c *Clock) UnmarshalText(b []byte) error {
	v, ok := ParseClock(string(b))
	if !ok {
		return fmt.Errorf("settings: %q is not a time of day", b)
	}
	*c = v
	return nil
}

// ParseClock reads a time of day as people type it: "18:00", "9:30",
// "9.30", "18" (the hour), "24:00".
func ParseClock(s string) (Clock, bool) {
	s = strings.TrimSpace(strings.ReplaceAll(s, ".", ":"))
	h, m, found := strings.Cut(s, ":")
	if !found {
		m = "00"
	}
	if h == "" || len(h) > 2 || len(m) != 2 || strings.Trim(h+m, "0123456789") != "" {
		return 0, false
	}
	hours, err1 := strconv.Atoi(h)
	minutes, err2 := strconv.Atoi(m)
	c := Clock(hours*60 + minutes)
	if err1 != nil || err2 != nil || minutes > 59 || c > EndOfDay {
		return 0, false
	}
	return c, true
}

// Range is a part of a day in which orders are taken: from Opens until just
// before Closes.
type Range struct {
	Opens  Clock `json:"opens"`
	Closes Clock `json:"closes"`
}

func (r Range) String() string { return r.Opens.String() + "–" + r.Closes.String() }

// Week is the opening hours of every weekday, indexed by time.Weekday
// (Sunday first). A day without ranges is closed.
type Week [7][]Range

// MaxRangesPerDay bounds the ranges of one day: lunch and dinner, and room
// to spare.
const MaxRangesPerDay = 4

// Weekdays lists the days Monday first, as a week reads on the settings
// page.
var Weekdays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// DayField names the form field of a weekday's hours ("hours_monday"), so
// that a rule broken on a day is shown next to it.
func DayField(d time.Weekday) string { return "hours_" + strings.ToLower(d.String()) }

// ParseRanges reads one day's hours as a manager types them: ranges
// separated by commas, each two times joined by a dash ("12:00-14:30,
// 18:00–22:00"); empty, or "closed", is a closed day. The ranges are
// checked by SetOpeningHours.
func ParseRanges(day time.Weekday, s string) ([]Range, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "closed") {
		return nil, nil
	}
	var out []Range
	for part := range strings.SplitSeq(s, ",") {
		part = strings.NewReplacer("–", "-", "—", "-", " to ", "-").Replace(part)
		from, to, found := strings.Cut(part, "-")
		opens, ok1 := ParseClock(from)
		closes, ok2 := ParseClock(to)
		if !found || !ok1 || !ok2 {
			return nil, domain.Invalid(DayField(day), "Write %s's hours like 12:00–14:30, 18:00–22:00, or leave it empty for closed.", day)
		}
		out = append(out, Range{Opens: opens, Closes: closes})
	}
	return out, nil
}

// FormatRanges writes one day's hours as ParseRanges reads them.
func FormatRanges(ranges []Range) string {
	parts := make([]string, len(ranges))
	for i, r := range ranges {
		parts[i] = r.String()
	}
	return strings.Join(parts, ", ")
}

// normalize sorts every day's ranges and checks them, returning every day
// at fault at once, Monday first.
func (w Week) normalize() (Week, error) {
	var out Week
	var problems []domain.FieldError
	for _, day := range Weekdays {
		ranges := slices.Clone(w[day])
		slices.SortFunc(ranges, func(a, b Range) int { return int(a.Opens - b.Opens) })
		if msg := checkDay(day, ranges); msg != "" {
			problems = append(problems, domain.FieldError{Field: DayField(day), Message: msg})
		}
		if len(ranges) > 0 {
			out[day] = ranges
		}
	}
	return out, domain.Fields(problems...)
}

func checkDay(day time.Weekday, ranges []Range) string {
	if len(ranges) > MaxRangesPerDay {
		return fmt.Sprintf("%s can have at most %d ranges.", day, MaxRangesPerDay)
	}
	for i, r := range ranges {
		switch {
		case r.Opens < 0 || r.Closes > EndOfDay:
			return fmt.Sprintf("%s's hours must lie between 00:00 and 24:00.", day)
		case r.Closes <= r.Opens:
			return fmt.Sprintf("On %s, %s closes before it opens; a range past midnight ends at 24:00 and goes on the next day from 00:00.", day, r)
		case i > 0 && r.Opens < ranges[i-1].Closes:
			return fmt.Sprintf("On %s, %s overlaps %s.", day, r, ranges[i-1])
		}
	}
	return ""
}

// equal says whether two weeks have the same hours.
func (w Week) equal(o Week) bool {
	for d := range w {
		if !slices.Equal(w[d], o[d]) {
			return false
		}
	}
	return true
}
