package projections

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"restaurant/domain/settings"
	"restaurant/internal/eventstore"
	"restaurant/internal/live"
)

// SettingsProjection keeps the restaurant's settings (opening hours,
// closed days, a pause of online orders) for the guests' menu, the kitchen
// display and the managers' settings page. Its one row is the settings
// stream folded by the domain's own Evolve, so it cannot tell another story
// than the stream. Opening and placing orders decide on the stream itself.
type SettingsProjection struct{}

// Name implements Projection.
func (SettingsProjection) Name() string { return "settings" }

// Tables implements Projection.
func (SettingsProjection) Tables() []string { return []string{"restaurant_settings"} }

// Apply implements Projection.
func (SettingsProjection) Apply(ctx context.Context, tx pgx.Tx, e eventstore.RecordedEvent) error {
	if !strings.HasPrefix(e.Type, "settings.") {
		return nil
	}
	s, err := readSettings(ctx, tx)
	if err != nil {
		return err
	}
	state, err := json.Marshal(settings.Evolve(s, e.Event))
	if err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO restaurant_settings (state, updated_at) VALUES ($1, $2)
		ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`, state, e.RecordedAt)
	return err
}

// Topics implements Notifier: the guests' menu and the kitchen display say
// whether orders are taken.
func (SettingsProjection) Topics(e eventstore.RecordedEvent) []live.Topic {
	if strings.HasPrefix(e.Type, "settings.") {
		return []live.Topic{live.MenuTopic(), live.KitchenTopic()}
	}
	return nil
}

// Settings reads the settings read model.
type Settings struct{ Pool *pgxpool.Pool }

// Get returns the settings; a restaurant that never set any has the zero
// State, which takes orders around the clock.
func (s Settings) Get(ctx context.Context) (settings.State, error) {
	return readSettings(ctx, s.Pool)
}

func readSettings(ctx context.Context, q eventstore.Querier) (settings.State, error) {
	var s settings.State
	var raw []byte
	err := q.QueryRow(ctx, `SELECT state FROM restaurant_settings`).Scan(&raw)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return s, nil
	case err != nil:
		return s, fmt.Errorf("read settings: %w", err)
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return s, fmt.Errorf("read settings: %w", err)
	}
	return s, nil
}
