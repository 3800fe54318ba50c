package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
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
