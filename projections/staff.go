package projections

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"restaurant/domain/staff"
	"restaurant/internal/eventstore"
)

// StaffProjection keeps the team as the manager's page lists it. Signing in
// does not read it: who may sign in is decided on the staff member's stream.
type StaffProjection struct{}

// WriteOnly implements WriteOnly: its statements for a batch go to
// PostgreSQL together.
func (StaffProjection) WriteOnly() {}

// Name implements Projection.
func (StaffProjection) Name() string { return "staff" }

// Tables implements Projection.
func (StaffProjection) Tables() []string { return []string{"staff_members"} }

// Apply implements Projection.
func (StaffProjection) Apply(ctx context.Context, tx pgx.Tx, e eventstore.RecordedEvent) error {
	var err error
	switch ev := e.Event.(type) {
	case staff.StaffMemberAdded:
		_, err = tx.Exec(ctx, `INSERT INTO staff_members (username, role, added_at, updated_at) VALUES ($1, $2, $3, $3)`,
			ev.Username, ev.Role, e.RecordedAt)
	case staff.StaffRoleChanged:
		_, err = tx.Exec(ctx, `UPDATE staff_members SET role = $2, updated_at = $3 WHERE username = $1`, ev.Username, ev.Role, e.RecordedAt)
	case staff.StaffMemberDisabled:
		_, err = tx.Exec(ctx, `UPDATE staff_members SET disabled = true, updated_at = $2 WHERE username = $1`, ev.Username, e.RecordedAt)
	case staff.StaffMemberEnabled:
		_, err = tx.Exec(ctx, `UPDATE staff_members SET disabled = false, updated_at = $2 WHERE username = $1`, ev.Username, e.RecordedAt)
	case staff.StaffPasswordChanged:
		_, err = tx.Exec(ctx, `UPDATE staff_members SET updated_at = $2 WHERE username = $1`, ev.Username, e.RecordedAt)
	}
	return err
}

// Member is one line of the team page.
type Member struct {
	Username  string
	Role      staff.Role
	Disabled  bool
	AddedAt   time.Time
	UpdatedAt time.Time
}

// Team reads the staff read model.
type Team struct{ Pool *pgxpool.Pool }

// All lists the team by name.
func (t Team) All(ctx context.Context) ([]Member, error) {
	rows, err := t.Pool.Query(ctx, `SELECT username, role, disabled, added_at, updated_at FROM staff_members ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("read team: %w", err)
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		var m Member
		if err := rows.Scan(&m.Username, &m.Role, &m.Disabled, &m.AddedAt, &m.UpdatedAt); err != nil {
			return nil, fmt.Errorf("read team: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
