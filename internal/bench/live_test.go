package bench

import (
	"encoding/json"
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
