package domain

import "time"

// When says when t is, seen from now, in now's time zone, as guests read
// it: "today at 18:00", "tomorrow at 12:00", "on Tuesday at 12:00" within
// the week, "on Monday 5 January at 12:00" beyond it.
func When(now, t time.Time) string {
	return Day(now, t) + " at " + t.In(now.Location()).Format("15:04")
}

// Day says which day t is, seen from now, in now's time zone: "today",
// "tomorrow", "on Tuesday" within the week, "on Monday 5 January" beyond.
func Day(now, t time.Time) string {
	t = t.In(now.Location())
	y, m, d := now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, now.Location())
	switch {
	case SameDay(today, t):
		return "today"
	case SameDay(today.AddDate(0, 0, 1), t):
		return "tomorrow"
	case t.Before(today.AddDate(0, 0, 7)):
		return "on " + t.Weekday().String()
	}
	return "on " + t.Format("Monday 2 January")
}

// SameDay says whether b falls on a's day, in a's time zone.
func SameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.In(a.Location()).Date()
	return ay == by && am == bm && ad == bd
}
