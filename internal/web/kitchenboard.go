package web

import (
	"slices"
	"sort"
	"time"

	"restaurant/domain/kitchen"
	"restaurant/projections"
	"restaurant/views"
)

// board lays tickets out as the kitchen display shows them at the time
// now: the open ones, with the all-day count of their dishes, and the ones
// bumped or canceled lately. The live display and its replay share it.
func (d Deps) board(tickets []projections.Ticket, now time.Time) (open, done []views.TicketView, allDay []views.AllDayView) {
	count := map[string]int{}
	for _, t := range tickets {
		tv := d.ticketView(t, now)
		if t.Status == kitchen.StatusQueued || t.Status == kitchen.StatusPreparing {
			open = append(open, tv)
			for _, it := range t.Items {
				if it.LineID == "" || !slices.Contains(t.DoneLines, it.LineID) {
					count[it.Name] += it.Quantity // dishes not done yet
				}
			}
		} else {
			done = append(done, tv)
		}
	}
	for name, q := range count {
		allDay = append(allDay, views.AllDayView{Name: name, Quantity: q})
	}
	sort.Slice(allDay, func(i, j int) bool {
		if allDay[i].Quantity != allDay[j].Quantity {
			return allDay[i].Quantity > allDay[j].Quantity
		}
		return allDay[i].Name < allDay[j].Name
	})
	return open, done, allDay
}
