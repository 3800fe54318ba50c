package projections

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"restaurant/domain"
	"restaurant/domain/kitchen"
	"restaurant/internal/eventstore"
)

// ticketsTable is the tickets read model's table, its columns in the order
// of a row's values.
var ticketsTable = foldTable{name: "tickets", key: "ticket_id", columns: []foldColumn{
	{"ticket_id", "text"}, {"order_number", "bigint"}, {"items", "json"}, {"fulfilment", "text"}, {"subject_id", "text"},
	{"contact_name", "text"}, {"status", "text"}, {"placed_at", "timestamptz"}, {"opened_at", "timestamptz"},
	{"started_at", "timestamptz"}, {"bumped_at", "timestamptz"}, {"handed_over_at", "timestamptz"}, {"canceled_at", "timestamptz"},
	{"cancel_reason", "text"}, {"updated_at", "timestamptz"}, {"done_lines", "text[]"}, {"due_at", "timestamptz"},
	{"fired_lines", "text[]"}}}

// NewFold implements Folder.
func (TicketsProjection) NewFold() Fold { return &ticketsFold{tickets: map[string]*ticketRow{}} }

type ticketRow struct {
	id, items, fulfilment, subject, contactName, status, cancelReason string
	number                                                            int64
	placedAt, openedAt, updatedAt                                     time.Time
	startedAt, bumpedAt, handedOverAt, canceled, dueAt                any // time.Time, or nil
	doneLines, firedLines                                             []string
	changed                                                           bool // since Load
}

func (t *ticketRow) values() []any {
	done, fired := t.doneLines, t.firedLines
	if done == nil {
		done = []string{} // as the column's default has it
	}
	if fired == nil {
		fired = []string{}
	}
	return []any{t.id, t.number, t.items, t.fulfilment, t.subject, t.contactName, t.status, t.placedAt, t.openedAt,
		t.startedAt, t.bumpedAt, t.handedOverAt, t.canceled, t.cancelReason, t.updatedAt, done, t.dueAt, fired}
}

// ticketsFold is the kitchen display's tickets, folded from the kitchen's
// events.
type ticketsFold struct {
	tickets map[string]*ticketRow
	rows    []*ticketRow // loaded, then in the order they were opened
}

// Load implements Fold: the tickets the batch's events concern, and every
// ticket of the people they erase.
func (f *ticketsFold) Load(ctx context.Context, tx pgx.Tx, events []eventstore.RecordedEvent) error {
	var ids, subjects []string
	for _, e := range events {
		if ev, ok := e.Event.(domain.Erasure); ok {
			subjects = append(subjects, ev.ErasedSubjects()...)
		} else if id, ok := ticketOf(e); ok {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 && len(subjects) == 0 {
		return nil
	}
	rows, err := tx.Query(ctx, `SELECT `+ticketsTable.selectList()+` FROM tickets WHERE ticket_id = ANY($1) OR subject_id = ANY($2)`, ids, subjects)
	if err != nil {
		return fmt.Errorf("read tickets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		t := &ticketRow{}
		var started, bumped, handedOver, canceled, due *time.Time
		if err := rows.Scan(&t.id, &t.number, &t.items, &t.fulfilment, &t.subject, &t.contactName, &t.status, &t.placedAt, &t.openedAt,
			&started, &bumped, &handedOver, &canceled, &t.cancelReason, &t.updatedAt, &t.doneLines, &due, &t.firedLines); err != nil {
			return fmt.Errorf("read tickets: %w", err)
		}
		t.startedAt, t.bumpedAt, t.handedOverAt, t.canceled, t.dueAt = orNil(started), orNil(bumped), orNil(handedOver), orNil(canceled), orNil(due)
		f.keep(t)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read tickets: %w", err)
	}
	return nil
}

// ticketOf is the ticket an event concerns, as its stream names it.
func ticketOf(e eventstore.RecordedEvent) (string, bool) {
	return strings.CutPrefix(e.StreamID, kitchen.StreamPrefix)
}

func (f *ticketsFold) keep(t *ticketRow) {
	f.tickets[t.id], f.rows = t, append(f.rows, t)
}

// Add implements Fold.
func (f *ticketsFold) Add(e eventstore.RecordedEvent) error {
	touch := func(id string, s kitchen.Status) *ticketRow {
		t := f.tickets[id]
		if t != nil {
			t.status, t.updatedAt, t.changed = string(s), e.RecordedAt, true
		}
		return t
	}
	switch ev := e.Event.(type) {
	case kitchen.TicketOpened:
		if f.tickets[ev.TicketID] != nil {
			return fmt.Errorf("ticket %s opened twice", ev.TicketID)
		}
		items, err := json.Marshal(ev.Items)
		if err != nil {
			return err
		}
		f.keep(&ticketRow{id: ev.TicketID, number: ev.OrderNumber, items: string(items), fulfilment: ev.Fulfilment, subject: ev.SubjectID, contactName: ev.ContactName,
			status: string(kitchen.StatusQueued), placedAt: ev.Since(), openedAt: ev.OpenedAt, dueAt: dueAt(ev), updatedAt: e.RecordedAt, changed: true})
	case kitchen.TicketStarted:
		if t := touch(ev.TicketID, kitchen.StatusPreparing); t != nil {
			t.startedAt = ev.StartedAt
		}
	case kitchen.TicketBumped:
		if t := touch(ev.TicketID, kitchen.StatusReady); t != nil {
			t.bumpedAt = ev.BumpedAt
		}
	case kitchen.TicketRecalled:
		if t := touch(ev.TicketID, kitchen.StatusPreparing); t != nil {
			t.bumpedAt = nil
		}
	case kitchen.TicketHandedOver:
		if t := touch(ev.TicketID, ev.Status()); t != nil {
			t.handedOverAt = ev.HandedOverAt
		}
	case kitchen.TicketDelivered:
		touch(ev.TicketID, kitchen.StatusDelivered)
	case kitchen.TicketCanceled:
		if t := touch(ev.TicketID, kitchen.StatusCanceled); t != nil {
			t.canceled, t.cancelReason = ev.CanceledAt, ev.Reason
		}
	case kitchen.TicketLineBumped:
		if t := f.tickets[ev.TicketID]; t != nil {
			t.doneLines, t.updatedAt, t.changed = append(t.doneLines, ev.LineID), e.RecordedAt, true
		}
	case kitchen.TicketLineRecalled:
		if t := f.tickets[ev.TicketID]; t != nil {
			t.doneLines = slices.DeleteFunc(t.doneLines, func(id string) bool { return id == ev.LineID })
			t.updatedAt, t.changed = e.RecordedAt, true
		}
	case kitchen.TicketLineFired:
		if t := f.tickets[ev.TicketID]; t != nil {
			t.firedLines, t.updatedAt, t.changed = append(t.firedLines, ev.LineID), e.RecordedAt, true
		}
	case domain.Erasure:
		// The kitchen shows the names of erased people no more.
		for _, t := range f.rows {
			if t.contactName != "" && slices.Contains(ev.ErasedSubjects(), t.subject) {
				t.contactName, t.changed = "", true
			}
		}
	}
	return nil
}

// Changes implements Fold.
func (f *ticketsFold) Changes(b *pgx.Batch) {
	var rows [][]any
	for _, t := range f.rows {
		if t.changed {
			rows = append(rows, t.values())
		}
	}
	ticketsTable.upsert(b, rows)
}

// Rows implements Fold.
func (f *ticketsFold) Rows() []TableRows {
	rows := make([][]any, 0, len(f.rows))
	for _, t := range f.rows {
		rows = append(rows, t.values())
	}
	return []TableRows{ticketsTable.rows(rows)}
}
