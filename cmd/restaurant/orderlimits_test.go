package main

import (
	"flag"
	"io"
	"strings"
	"testing"

	"restaurant/domain"
	"restaurant/domain/ordering"
	"restaurant/internal/web"
)

func TestOrderLimitsComeFromFlagsAndEnvironment(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		args    []string
		want    orderLimits
		wantErr string
	}{
		{name: "defaults", want: orderLimits{perHour: web.DefaultOrderLimits, caps: ordering.DefaultCaps}},
		{name: "from the environment, flags first",
			env:  map[string]string{"ORDERS_PLACED_PER_HOUR_PER_ADDRESS": "60", "ORDER_MAX_TOTAL": "250.5", "ORDER_MAX_DISHES": "30"},
			args: []string{"-order-max-dishes", "40", "-orders-opened-per-hour-per-guest", "3"},
			want: orderLimits{
				perHour: web.OrderLimits{OpenedPerGuest: 3, OpenedPerAddress: 40, PlacedPerGuest: 5, PlacedPerAddress: 60},
				caps:    ordering.Caps{MaxDishes: 40, MaxTotal: domain.Cents(25050)},
			}},
		{name: "not a number", env: map[string]string{"ORDERS_PLACED_PER_HOUR_PER_GUEST": "five"}, wantErr: "ORDERS_PLACED_PER_HOUR_PER_GUEST"},
		{name: "zero", args: []string{"-orders-placed-per-hour-per-guest", "0"}, wantErr: "not a positive number"},
		{name: "an amount with three decimals", env: map[string]string{"ORDER_MAX_TOTAL": "1.005"}, wantErr: "not an amount of euros"},
		{name: "no amount", args: []string{"-order-max-total", "0"}, wantErr: "not an amount of euros"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			read := orderLimitFlags(fs, func(k string) string { return tc.env[k] })
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			got, err := read()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want one saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}
