// Package metrics is what the restaurant tells Prometheus: commands by type
// and outcome, append latency, live sockets and pushes, and what the caps
// refused. Projection positions and lag are read from the database when
// scraped, and the age of a transaction holding the event store's fence
// from the store's report (see web.Handler).
package metrics

import (
	"regexp"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Registry holds the restaurant's metrics and Go's own.
var Registry = prometheus.NewRegistry()

var (
	// Commands counts commands by type ("ordering.AddItem") and outcome
	// ("ok", "duplicate", "rejected", "conflict", "error").
	Commands = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "restaurant_commands_total",
		Help: "Commands handled, by type and outcome.",
	}, []string{"command", "outcome"})

	// AppendSeconds is the time an append takes, commit included.
	AppendSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "restaurant_append_seconds",
		Help:    "Time to append a command's events, commit included.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
	})

	// Sockets is the live screens connected to this process.
	Sockets = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "restaurant_live_sockets",
		Help: "Live screens connected to this process.",
	})

	// OwnWritesWaits counts reads that waited for a read model to show the
	// client's own last write, by how it ended ("reached", "behind" after
	// the bound, "error"). A read by a client that never wrote waits for
	// nothing and is not counted.
	OwnWritesWaits = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "restaurant_own_writes_waits_total",
		Help: "Reads that waited for a read model to show the client's own last write, by outcome.",
	}, []string{"outcome"})
	// Pushes counts region pushes sent to live screens, and those dropped
	// because the screen could not take them.
	Pushes = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "restaurant_live_pushes_total",
		Help: "Pushes to live screens, by result (sent, dropped).",
	}, []string{"result"})

	// CommitToScreen is the time from a change's commit (as its notice
	// says) to its push written to a live screen, by the kind of topic
	// ("kitchen", "order", "menu", ...): one observation per screen
	// written, so its highest buckets are the last screens reached. A
	// notice from another process is timed on that process's clock.
	CommitToScreen = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "restaurant_live_commit_to_screen_seconds",
		Help:    "Time from a change's commit to its push written to a live screen, by kind of topic.",
		Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
	}, []string{"topic"})

	// Refused counts connections and live sockets turned away by a cap, by
	// reason ("connections_per_address", "live_per_address",
	// "live_total"): an operator sees a flood, or a cap set too low for a
	// kitchen behind one address, before anyone complains.
	Refused = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "restaurant_refused_total",
		Help: "Connections and live sockets refused by a cap, by reason.",
	}, []string{"reason"})
)

// memoryInUse names the runtime's figures that say what the process keeps,
// beside the go_memstats_* defaults: the heap live at the last collection
// (go_gc_heap_live_bytes), the heap's objects and the goroutine stacks
// (go_memory_classes_heap_{objects,stacks}_bytes) and the collections
// finished (go_gc_cycles_total_gc_cycles_total).
var memoryInUse = regexp.MustCompile(`^/gc/heap/live:bytes$|^/memory/classes/heap/(objects|stacks):bytes$|^/gc/cycles/total:gc-cycles$`)

// RelayPublished counts integration messages the broker confirmed to this
// process's relay (a message sent again after a crash counts again).
var RelayPublished = prometheus.NewCounter(prometheus.CounterOpts{
	Name: "restaurant_relay_published_total",
	Help: "Integration messages published by this process's relay and confirmed by the broker.",
})

func init() {
	Registry.MustRegister(Commands, AppendSeconds, Sockets, Pushes, CommitToScreen, OwnWritesWaits, Refused, RelayPublished,
		collectors.NewGoCollector(collectors.WithGoCollectorRuntimeMetrics(collectors.GoRuntimeMetricsRule{Matcher: memoryInUse})),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
}
