package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"restaurant/internal/metrics"
	"restaurant/internal/relay"
	"restaurant/projections"
)

// projectionCollector reads every projection's position and lag when
// Prometheus scrapes.
type projectionCollector struct {
	d                        Deps
	position, lag, lagSecond *prometheus.Desc
	failing                  *prometheus.Desc
}

func newProjectionCollector(d Deps) *projectionCollector {
	labels := []string{"projection"}
	return &projectionCollector{d: d,
		position:  prometheus.NewDesc("restaurant_projection_position", "Global position a projection has reached.", labels, nil),
		lag:       prometheus.NewDesc("restaurant_projection_lag_events", "Events a projection has not applied yet.", labels, nil),
		lagSecond: prometheus.NewDesc("restaurant_projection_lag_seconds", "How long the oldest unapplied event has waited.", labels, nil),
		failing:   prometheus.NewDesc("restaurant_projection_failing", "1 while a projection's last batch failed.", labels, nil),
	}
}

func (c *projectionCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.position
	ch <- c.lag
	ch <- c.lagSecond
	ch <- c.failing
}

func (c *projectionCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	statuses, err := projections.Statuses(ctx, c.d.Store, c.d.Runner.Projections())
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.position, err)
		return
	}
	for _, s := range statuses {
		failing := 0.0
		if s.LastError != "" {
			failing = 1
		}
		ch <- prometheus.MustNewConstMetric(c.position, prometheus.GaugeValue, float64(s.Position), s.Name)
		ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, float64(s.LagEvents), s.Name)
		ch <- prometheus.MustNewConstMetric(c.lagSecond, prometheus.GaugeValue, s.LagSeconds, s.Name)
		ch <- prometheus.MustNewConstMetric(c.failing, prometheus.GaugeValue, failing, s.Name)
	}
}

// relayCollector reads the relay's status when Prometheus scrapes: nothing
// while no relay ever ran on the database.
type relayCollector struct {
	pool                                                   *pgxpool.Pool
	running, connected, position, lag, lagSeconds, failing *prometheus.Desc
}

func newRelayCollector(pool *pgxpool.Pool) *relayCollector {
	return &relayCollector{pool: pool,
		running:    prometheus.NewDesc("restaurant_relay_running", "1 while a relay to the broker runs (in any process).", nil, nil),
		connected:  prometheus.NewDesc("restaurant_relay_connected", "1 while the relay is connected to the broker.", nil, nil),
		position:   prometheus.NewDesc("restaurant_relay_position", "Global position the relay has published up to, confirmed.", nil, nil),
		lag:        prometheus.NewDesc("restaurant_relay_lag_events", "Events the relay has not published past yet.", nil, nil),
		lagSeconds: prometheus.NewDesc("restaurant_relay_lag_seconds", "How long the oldest event the relay has not published past has waited.", nil, nil),
		failing:    prometheus.NewDesc("restaurant_relay_failing", "1 while the relay's last attempt failed and it has not caught up since.", nil, nil),
	}
}

func (c *relayCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.running, c.connected, c.position, c.lag, c.lagSeconds, c.failing} {
		ch <- d
	}
}

func (c *relayCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, found, err := relay.ReadStatus(ctx, c.pool, "")
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.position, err)
		return
	}
	if !found {
		return
	}
	bit := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	ch <- prometheus.MustNewConstMetric(c.running, prometheus.GaugeValue, bit(s.Running))
	ch <- prometheus.MustNewConstMetric(c.connected, prometheus.GaugeValue, bit(s.Connected))
	ch <- prometheus.MustNewConstMetric(c.position, prometheus.GaugeValue, float64(s.Position))
	ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, float64(s.LagEvents))
	ch <- prometheus.MustNewConstMetric(c.lagSeconds, prometheus.GaugeValue, s.LagSeconds)
	ch <- prometheus.MustNewConstMetric(c.failing, prometheus.GaugeValue, bit(s.LastError != ""))
}

// metricsHandler serves Prometheus metrics: the process's own and the
// projections' read from the database. When the projections' cannot be
// read (the database is away) the process's own are served without them,
// and why is logged: an outage is when they are wanted most.
func (d Deps) metricsHandler() http.Handler {
	local := prometheus.NewRegistry()
	if d.Runner != nil {
		local.MustRegister(newProjectionCollector(d))
	}
	if d.Store != nil {
		local.MustRegister(fenceAgeGauge(d.Store), newRelayCollector(d.Store.Pool()))
	}
	return promhttp.HandlerFor(prometheus.Gatherers{metrics.Registry, local},
		promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError, ErrorLog: metricsErrorLog{}})
}

// metricsErrorLog logs what could not be gathered.
type metricsErrorLog struct{}

func (metricsErrorLog) Println(v ...any) {
	slog.Warn("metrics not gathered", "error", fmt.Sprint(v...))
}

// MetricsHandler serves the metrics on an address of their own, for the
// operator: the same page as the public address's /metrics, with no token.
func MetricsHandler(d Deps) http.Handler { return d.metricsHandler() }

// guardedMetrics serves the metrics on the public address only to a scraper
// with the token ("Authorization: Bearer <token>"); without a token set
// there is nothing at /metrics. Both sides are hashed before they are
// compared, so the comparison takes as long whatever was sent.
func (d Deps) guardedMetrics() http.Handler {
	if d.MetricsToken == "" {
		return http.HandlerFunc(notFound)
	}
	want := sha256.Sum256([]byte(d.MetricsToken))
	metrics := d.metricsHandler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		got := sha256.Sum256([]byte(strings.TrimSpace(token)))
		if subtle.ConstantTimeCompare(got[:], want[:]) != 1 || !strings.EqualFold(scheme, "Bearer") {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			fail(w, r, &requestError{http.StatusUnauthorized, "Metrics need the scrape token."})
			return
		}
		metrics.ServeHTTP(w, r)
	})
}
