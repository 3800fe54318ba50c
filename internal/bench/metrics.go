package bench

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Metrics is where the server under test serves its Prometheus metrics:
// the address of their own, or the public /metrics with its token.
type Metrics struct {
	URL   string // e.g. http://127.0.0.1:9464/metrics
	Token string // sent as "Authorization: Bearer <token>"; empty: none
}

// page reads the metrics page.
func (m Metrics) page(ctx context.Context) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("read the server's metrics: %w", err)
	}
	if m.Token != "" {
		req.Header.Set("Authorization", "Bearer "+m.Token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("read the server's metrics: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read the server's metrics: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the server's metrics at %s answered %s (give its address, or METRICS_TOKEN)", m.URL, resp.Status)
	}
	return b, nil
}

// scrape reads the server's unlabelled metrics.
func (m Metrics) scrape(ctx context.Context) (map[string]float64, error) {
	b, err := m.page(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for _, line := range strings.Split(string(b), "\n") {
		name, value, ok := strings.Cut(line, " ")
		if !ok || strings.HasPrefix(line, "#") || strings.Contains(name, "{") {
			continue
		}
		if v, err := strconv.ParseFloat(strings.TrimSpace(value), 64); err == nil {
			out[name] = v
		}
	}
	return out, nil
}

// histogram is one series of a Prometheus histogram as scraped: how many
// observations were at most each bucket's upper bound (cumulative, +Inf
// included).
type histogram map[float64]float64

// histogram reads the buckets of a histogram's series whose labels include
// label (e.g. `topic="kitchen"`).
func (m Metrics) histogram(ctx context.Context, name, label string) (histogram, error) {
	b, err := m.page(ctx)
	if err != nil {
		return nil, err
	}
	return parseHistogram(string(b), name, label), nil
}

func parseHistogram(page, name, label string) histogram {
	h := histogram{}
	prefix := name + "_bucket{"
	for _, line := range strings.Split(page, "\n") {
		rest, ok := strings.CutPrefix(line, prefix)
		if !ok {
			continue
		}
		labels, value, ok := strings.Cut(rest, "} ")
		if !ok || !strings.Contains(labels, label) {
			continue
		}
		_, le, ok := strings.Cut(labels, `le="`)
		if !ok {
			continue
		}
		le, _, _ = strings.Cut(le, `"`)
		bound, err := strconv.ParseFloat(le, 64)
		if err != nil {
			continue
		}
		if v, err := strconv.ParseFloat(strings.TrimSpace(value), 64); err == nil {
			h[bound] = v
		}
	}
	return h
}

// since is what was observed after the earlier reading.
func (h histogram) since(earlier histogram) histogram {
	out := histogram{}
	for bound, n := range h {
		out[bound] = n - earlier[bound]
	}
	return out
}

// quantile estimates the q-quantile as Prometheus's histogram_quantile
// does: linearly within the bucket it falls in. ok is false when there is
// no observation; a quantile in the last bucket (+Inf) gives the highest
// finite bound, and ok still true.
func (h histogram) quantile(q float64) (v float64, ok bool) {
	bounds := make([]float64, 0, len(h))
	for b := range h {
		bounds = append(bounds, b)
	}
	slices.Sort(bounds)
	if len(bounds) == 0 || h[bounds[len(bounds)-1]] <= 0 {
		return 0, false
	}
	total := h[bounds[len(bounds)-1]]
	rank := q * total
	lower, below := 0.0, 0.0
	for _, b := range bounds {
		n := h[b]
		if n >= rank {
			if math.IsInf(b, 1) {
				return lower, true
			}
			if n == below {
				return b, true
			}
			return lower + (b-lower)*(rank-below)/(n-below), true
		}
		lower, below = b, n
	}
	return lower, true
}
