package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestHelpSucceedsAndListsEveryCommand asks for help every way there is:
// each answers on stdout and succeeds, touching no database, and the list
// names every subcommand.
func TestHelpSucceedsAndListsEveryCommand(t *testing.T) {
	// Were help not answered, these keep the command from touching a
	// database: nothing listens there, and no embedded one starts here.
	env := map[string]string{"DATABASE_URL": "postgres://127.0.0.1:1/none?connect_timeout=1", "DATA_DIR": t.TempDir(), "METRICS_ADDR": "off"}
	tests := []struct {
		args []string
		want []string // in the output
	}{
		{[]string{"--help"}, commandNames()},
		{[]string{"-h"}, commandNames()},
		{[]string{"help"}, commandNames()},
		{[]string{"help", "bench"}, []string{"-duration", "bench store", "bench live"}},
		{[]string{"serve", "--help"}, []string{"-addr", "-metrics-addr", "-public-url", "-trusted-proxies", "-timezone"}},
		{[]string{"migrate", "--help"}, []string{"-database-url"}},
		{[]string{"notify", "--help"}, []string{"-amqp-url", "-notify-queue", "-smtp-url", "-notify-from", "-data-dir"}},
		{[]string{"projections", "--help"}, []string{"projections status", "projections rebuild"}},
		{[]string{"projections", "status", "--help"}, []string{"-database-url"}},
		{[]string{"projections", "rebuild", "--help"}, []string{"-database-url"}},
		{[]string{"staff", "--help"}, []string{"staff add"}},
		{[]string{"staff", "add", "--help"}, []string{"-role"}},
		{[]string{"staff", "add", "noor", "-h"}, []string{"-role"}},
		{[]string{"bench", "--help"}, []string{"-guests", "-url", "-metrics-url"}},
		{[]string{"bench", "store", "--help"}, []string{"-writers"}},
		{[]string{"bench", "http", "--help"}, []string{"-connections"}},
		{[]string{"bench", "live", "--help"}, []string{"-sockets"}},
		{[]string{"bench", "rebuild", "--help"}, []string{"-events"}},
		{[]string{"bench", "start", "--help"}, []string{"-runs", "-binary", "-json"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out bytes.Buffer
			if err := run(context.Background(), tt.args, func(k string) string { return env[k] }, strings.NewReader(""), &out); err != nil {
				t.Fatalf("exits with %v, want success; printed:\n%s", err, &out)
			}
			if !strings.HasPrefix(out.String(), "usage: ") && !strings.HasPrefix(out.String(), "commands:") {
				t.Errorf("the help does not start with usage or commands:\n%s", &out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("the help has no %q:\n%s", w, &out)
				}
			}
		})
	}
}

// commandNames are the subcommands the list must name, each on a line
// of its own.
func commandNames() []string {
	names := []string{"serve", "migrate", "notify", "projections status", "projections rebuild", "staff add",
		"bench", "bench store", "bench http", "bench live", "bench rebuild"}
	for i, n := range names {
		names[i] = "\n  " + n + " "
	}
	return names
}

// TestNotifyNeedsABroker: the notifications service on its own consumes the
// broker's queue, and says so before it touches a database.
func TestNotifyNeedsABroker(t *testing.T) {
	env := map[string]string{"DATABASE_URL": "postgres://127.0.0.1:1/none?connect_timeout=1", "DATA_DIR": t.TempDir()}
	err := run(context.Background(), []string{"notify"}, func(k string) string { return env[k] }, strings.NewReader(""), &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "AMQP_URL") {
		t.Errorf("notify without a broker: %v, want an error naming AMQP_URL", err)
	}
}

// TestTheRestaurantsTimeZone reads a zone by name, the local one when none
// is named, and refuses one that does not exist, saying what to write.
func TestTheRestaurantsTimeZone(t *testing.T) {
	if loc, err := restaurantLocation(""); err != nil || loc != time.Local {
		t.Errorf("empty: %v, %v", loc, err)
	}
	if loc, err := restaurantLocation("Europe/Lisbon"); err != nil || loc.String() != "Europe/Lisbon" {
		t.Errorf("Europe/Lisbon: %v, %v", loc, err)
	}
	if _, err := restaurantLocation("Mars/Olympus"); err == nil || !strings.Contains(err.Error(), "RESTAURANT_TIMEZONE") {
		t.Errorf("Mars/Olympus: %v", err)
	}
}

// TestKitchenAgeing takes thresholds of minutes or of seconds, and refuses
// a ticket late before it waits, or at once.
func TestKitchenAgeing(t *testing.T) {
	if a, err := kitchenAgeing(8*time.Minute, 12*time.Minute); err != nil || a.Attention != 8*time.Minute || a.Late != 12*time.Minute {
		t.Errorf("8m, 12m: %+v, %v", a, err)
	}
	if _, err := kitchenAgeing(3*time.Second, 6*time.Second); err != nil {
		t.Errorf("3s, 6s: %v", err)
	}
	for _, bad := range [][2]time.Duration{{0, time.Minute}, {-time.Minute, time.Minute}, {12 * time.Minute, 8 * time.Minute}, {time.Minute, time.Minute}} {
		if _, err := kitchenAgeing(bad[0], bad[1]); err == nil || !strings.Contains(err.Error(), "KITCHEN_LATE_AFTER") {
			t.Errorf("%s, %s: %v", bad[0], bad[1], err)
		}
	}
}
