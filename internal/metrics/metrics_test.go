package metrics

import (
	"testing"
)

// TestMemoryFiguresAreExported: the figures the live-screen benchmark reads
// to tell memory per socket are on the registry.
func TestMemoryFiguresAreExported(t *testing.T) {
	families, err := Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, f := range families {
		have[f.GetName()] = true
	}
	for _, name := range []string{"go_gc_heap_live_bytes", "go_memory_classes_heap_objects_bytes",
		"go_memory_classes_heap_stacks_bytes", "go_gc_cycles_total_gc_cycles_total", "go_memstats_stack_inuse_bytes", "go_goroutines"} {
		if !have[name] {
			t.Errorf("%s is not exported", name)
		}
	}
}
