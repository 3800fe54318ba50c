package web

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
)

func TestStaffListOrdersNewestFirstFilteredAndPaged(t *testing.T) {
	a := withStaff(t)
	ctx := context.Background()
	for i := range 55 {
		id := uuid.NewString()
		cmds := []ordering.Command{
			ordering.OpenOrder{OrderID: id, CustomerID: "guest-x", At: time.Now()},
			ordering.AddItem{LineID: "a", MenuItemID: "espresso", Name: "Espresso", Quantity: 1, UnitPrice: domain.Cents(280)},
		}
		if i%10 == 0 {
			cmds = append(cmds, ordering.CancelOrder{At: time.Now()})
		}
		for _, c := range cmds {
			if _, err := eventstore.Handle(ctx, a.store, ordering.Stream(id), ordering.Decider, eventstore.Metadata{CommandID: uuid.New(), Actor: "customer:x"}, c); err != nil {
				t.Fatal(err)
			}
		}
	}
	a.caughtUp()
	m := a.guest()
	m.signIn("maria", managerPassword)
	numbers := regexp.MustCompile(`>#(\d+)</a></td>`)
	nextLink := regexp.MustCompile(`href="(/staff/orders\?[^"]*)" rel="next"`)
	list := func(query string) (rows []string, next string) {
		t.Helper()
		rec := m.get("/staff/orders" + query)
		if rec.Code != 200 {
			t.Fatalf("%s: %d", query, rec.Code)
		}
		for _, m := range numbers.FindAllStringSubmatch(rec.Body.String(), -1) {
			rows = append(rows, m[1])
		}
		// The next page's link (the guests' links lead to lists too).
		if m := nextLink.FindStringSubmatch(rec.Body.String()); m != nil {
			next = strings.ReplaceAll(m[1], "&amp;", "&")
		}
		return rows, next
	}
	first, next := list("")
	if len(first) != 50 || first[0] != "55" || first[49] != "6" || next == "" {
		t.Fatalf("first page: %d rows from %v to %v, next %q", len(first), first[0], first[len(first)-1], next)
	}
	second, after := list(strings.TrimPrefix(next, "/staff/orders"))
	if fmt.Sprint(second) != "[5 4 3 2 1]" || after != "" {
		t.Fatalf("second page %v, next %q", second, after)
	}
	if rows, _ := list("?progress=canceled"); len(rows) != 6 {
		t.Fatalf("%d canceled orders, want 6", len(rows))
	}
	if rows, _ := list("?number=%2317"); fmt.Sprint(rows) != "[17]" {
		t.Fatalf("search by number: %v", rows)
	}
	if rows, _ := list("?day=" + time.Now().Format("2006-01-02") + "&progress=open"); len(rows) != 49 {
		t.Fatalf("%d open orders today, want 49 (50 shown per page)", len(rows))
	}
	if rec := m.get("/staff/orders?day=yesterday"); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "Choose a day") {
		t.Fatalf("a bad day: %d", rec.Code)
	}
	cook := a.guest()
	cook.signIn("kai", kitchenPassword)
	if rec := cook.get("/staff/orders"); rec.Code != http.StatusForbidden {
		t.Fatalf("kitchen on the orders list: %d", rec.Code)
	}
}
