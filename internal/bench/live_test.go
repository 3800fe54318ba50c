package bench

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
)

// When the collector frees more than the screens took, the heap after is
// below the heap before: the figure is not measurable, and both the table
// and the JSON say so instead of printing a negative number.
func TestAShrunkHeapIsNotMeasurableNotNegative(t *testing.T) {
	heap, heapWhy := perSocket(10_000_000, 9_000_000, 100, "not measurable: the heap shrank while screens were opened")
	rss, rssWhy := perSocket(20_000_000, 21_000_000, 100, "not measurable: the resident memory shrank while screens were opened")
	if heap != nil || heapWhy == "" {
		t.Fatalf("a shrunk heap gives %v %q, want no figure and a reason", heap, heapWhy)
	}
	if rss == nil || *rss != 10_000 || rssWhy != "" {
		t.Fatalf("1 MB more for 100 sockets gives %v %q, want 10000 bytes each", rss, rssWhy)
	}
	f := LiveFigure{Sockets: 100, Samples: 20, BytesPerSocket: rss, HeapStackPerSocket: heap, HeapStackNotMeasurable: heapWhy}

	var out strings.Builder
	printLiveRow(&out, f, false)
	if strings.Contains(out.String(), "-") {
		t.Errorf("the table prints a negative figure:\n%s", &out)
	}
	for _, want := range []string{"10000", "not measurable", "the heap shrank while screens were opened"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the table has no %q:\n%s", want, &out)
		}
	}

	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if v, ok := got["server_heap_stack_bytes_per_idle_socket"]; !ok || v != nil {
		t.Errorf("the JSON's heap figure is %v (present %v), want null: %s", v, ok, b)
	}
	if got["server_heap_stack_bytes_per_idle_socket_not_measurable"] != heapWhy {
		t.Errorf("the JSON does not say why the heap figure is missing: %s", b)
	}
	if got["server_bytes_per_idle_socket"] != 10_000.0 {
		t.Errorf("the JSON's resident figure is %v, want 10000: %s", got["server_bytes_per_idle_socket"], b)
	}
	if _, ok := got["server_bytes_per_idle_socket_not_measurable"]; ok {
		t.Errorf("the JSON gives a reason for a figure it has: %s", b)
	}
}

// The server's own figures come from its histogram: what it observed
// during the run (the difference of two scrapes), read within the buckets
// as Prometheus's histogram_quantile reads them; a run it observed nothing
// in has no figure, not zero.
func TestServerFiguresComeFromTheHistogramsDifference(t *testing.T) {
	page := func(counts ...int) string {
		var b strings.Builder
		b.WriteString("# TYPE restaurant_live_commit_to_screen_seconds histogram\n")
		for i, le := range []string{"0.001", "0.002", "0.004", "0.008", "+Inf"} {
			fmt.Fprintf(&b, "restaurant_live_commit_to_screen_seconds_bucket{topic=\"kitchen\",le=\"%s\"} %d\n", le, counts[i])
			fmt.Fprintf(&b, "restaurant_live_commit_to_screen_seconds_bucket{topic=\"order\",le=\"%s\"} 999\n", le)
		}
		return b.String()
	}
	before := parseHistogram(page(5, 5, 5, 5, 5), commitToScreen, `topic="kitchen"`)
	// 100 more: 50 between 1 and 2 ms, 49 between 2 and 4 ms, 1 past 8 ms.
	after := parseHistogram(page(5, 55, 104, 104, 105), commitToScreen, `topic="kitchen"`)
	var f LiveFigure
	f.serverFigures(after.since(before))
	if f.ServerObservations != 100 {
		t.Errorf("observations %d, want 100", f.ServerObservations)
	}
	if f.ServerP50Millis == nil || math.Abs(*f.ServerP50Millis-2) > 1e-9 {
		t.Errorf("server p50 %v, want 2 ms", f.ServerP50Millis)
	}
	if f.ServerP99Millis == nil || math.Abs(*f.ServerP99Millis-4) > 1e-9 {
		t.Errorf("server p99 %v, want 4 ms (the 99th is the last in the 2-4 ms bucket)", f.ServerP99Millis)
	}

	var none LiveFigure
	none.serverFigures(after.since(after))
	if none.ServerP50Millis != nil || none.ServerP99Millis != nil || none.ServerNotMeasurable == "" {
		t.Fatalf("nothing observed gives %v %v %q, want no figures and a reason", none.ServerP50Millis, none.ServerP99Millis, none.ServerNotMeasurable)
	}
	var out strings.Builder
	printLiveRow(&out, none, false)
	if !strings.Contains(out.String(), "n/a") || !strings.Contains(out.String(), none.ServerNotMeasurable) {
		t.Errorf("the table does not say the server's figures are missing, and why:\n%s", &out)
	}
}
