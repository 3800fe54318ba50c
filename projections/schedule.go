package projections

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"restaurant/domain"
	"restaurant/domain/kitchen"
	"restaurant/domain/menu"
	"restaurant/domain/ordering"
	"restaurant/internal/eventstore"
	"restaurant/internal/live"
)

// Orders for later. The kitchen policy does not open the ticket of an order
// placed for later: it keeps the order in scheduled_tickets, in the
// transaction of its checkpoint, with the moment to open it: the order's
// time less its cooking time (its slowest dish's minutes as the menu has
// them when it is placed) and, for a delivery, the road's minutes. A
// TicketScheduler in every process that runs the projections opens the
// tickets that are due, with the command the policy would have sent at
// placing, under the same command id derived from the OrderPlaced event:
// each ticket opens once however many processes look, and a crash leaves
// its row to be opened after the restart.

// scheduleTicket keeps an order placed for later until its ticket is due.
// A repeat of the same reaction (a batch applied again) keeps what the
// first wrote.
func scheduleTicket(ctx context.Context, tx pgx.Tx, e eventstore.RecordedEvent, ev ordering.OrderPlaced, fireAt time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO scheduled_tickets (order_id, fire_at, due_at, placed_event_id, correlation_id, scheduled_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (order_id) DO NOTHING`,
		ev.OrderID, fireAt, ev.ScheduledFor, pgtype.UUID{Bytes: e.EventID, Valid: true}, pgtype.UUID{Bytes: e.CorrelationID, Valid: true}, e.RecordedAt)
	if err != nil {
		return fmt.Errorf("schedule the ticket of order %s: %w", ev.OrderID, err)
	}
	return nil
}

// unscheduleTicket forgets a canceled order's ticket still to open. It
// waits for a scheduler opening it at this moment, so that the cancel
// that follows finds the ticket.
func unscheduleTicket(ctx context.Context, tx pgx.Tx, orderID string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM scheduled_tickets WHERE order_id = $1`, orderID); err != nil {
		return fmt.Errorf("unschedule the ticket of order %s: %w", orderID, err)
	}
	return nil
}

// fireTimes are when the tickets of the orders for later among orders
// open, from their dishes' minutes as the menu has them now and, for a
// delivery, the road's minutes as the kitchen's pace says.
func fireTimes(ctx context.Context, tx pgx.Tx, store *eventstore.Store, orders map[string]ordering.State) (map[string]time.Time, error) {
	var dishes []string
	delivery := false
	for _, o := range orders {
		if !o.ScheduledFor.IsZero() {
			for _, l := range o.Lines {
				dishes = append(dishes, l.MenuItemID)
			}
			delivery = delivery || o.Fulfilment == ordering.FulfilmentDelivery
		}
	}
	if len(dishes) == 0 {
		return nil, nil
	}
	prep, err := prepTimes(ctx, tx, store, dishes)
	if err != nil {
		return nil, err
	}
	var road time.Duration
	if delivery {
		s, err := readSettings(ctx, tx)
		if err != nil {
			return nil, err
		}
		road = time.Duration(s.KitchenPace().DeliveryMinutes) * time.Minute
	}
	out := map[string]time.Time{}
	for id, o := range orders {
		if o.ScheduledFor.IsZero() {
			continue
		}
		dishes := make([]string, len(o.Lines))
		for i, l := range o.Lines {
			dishes[i] = l.MenuItemID
		}
		travel := time.Duration(0)
		if o.Fulfilment == ordering.FulfilmentDelivery {
			travel = road
		}
		out[id] = kitchen.FireAt(o.ScheduledFor, CookTime(prep, dishes), travel)
	}
	return out, nil
}

// prepTimes reads the minutes the dishes take to make from the dishes'
// own streams, which no read model's lag can hold behind, into items that
// know only that.
func prepTimes(ctx context.Context, tx pgx.Tx, store *eventstore.Store, dishes []string) (map[string]MenuItem, error) {
	streams := make([]string, 0, len(dishes))
	for _, id := range dishes {
		if !slices.Contains(streams, menu.Stream(id)) {
			streams = append(streams, menu.Stream(id))
		}
	}
	read, err := store.ReadStreamsTx(ctx, tx, streams)
	if err != nil {
		return nil, fmt.Errorf("read the dishes' minutes to make: %w", err)
	}
	items := make(map[string]MenuItem, len(dishes))
	for _, id := range dishes {
		items[id] = MenuItem{ItemID: id, PrepTime: eventstore.Fold(menu.Evolve, read[menu.Stream(id)]).PrepTime}
	}
	return items, nil
}

// TicketScheduler opens the tickets of orders placed for later when they
// are due. Every process that runs the projections runs one; they share
// the work through row locks, and the derived command id makes a ticket
// opened twice (a crash between, a race) append nothing the second time.
type TicketScheduler struct {
	Store *eventstore.Store
	// Now is the clock; nil: time.Now.
	Now func() time.Time
	// Hub, when set, tells the scheduler of orders placed for later in any
	// process (ScheduleTopic), which it then reads the schedule for.
	Hub *live.Hub
	// Tick is how often the clock is read, against the next ticket due;
	// Every how often the schedule is read though nothing is due, which
	// makes good a lost notice. Zero: every second, and every minute.
	Tick, Every time.Duration
	Log         *slog.Logger
}

func (s *TicketScheduler) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

func (s *TicketScheduler) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Run opens the tickets as they fall due until ctx ends.
func (s *TicketScheduler) Run(ctx context.Context) {
	tick, every := s.Tick, s.Every
	if tick <= 0 {
		tick = time.Second
	}
	if every <= 0 {
		every = time.Minute
	}
	noticed := make(chan struct{}, 1)
	if s.Hub != nil {
		sub := s.Hub.Subscribe(func() {
			select {
			case noticed <- struct{}{}:
			default:
			}
		}, live.ScheduleTopic())
		defer sub.Close()
	}
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	var next, read time.Time // the next ticket due (zero: none), and when the schedule was read
	look, failing := true, false
	for {
		if look || (!next.IsZero() && !s.now().Before(next)) || time.Since(read) >= every {
			var err error
			next, err = s.OpenDue(ctx)
			read = time.Now()
			switch {
			case err != nil && ctx.Err() == nil:
				if !failing { // once an outage, not every tick
					s.log().Warn("tickets of orders for later not opened; trying again every tick", "error", err)
				}
				failing, next = true, s.now()
			case err == nil && failing:
				s.log().Info("tickets of orders for later open again")
				failing = false
			}
		}
		look = false
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		case <-noticed:
			look = true
		}
	}
}

// OpenDue opens every ticket due by now, one order per transaction, and
// says when the next is due (zero: none is scheduled).
func (s *TicketScheduler) OpenDue(ctx context.Context) (time.Time, error) {
	for {
		opened, err := s.openOne(ctx)
		if err != nil {
			return time.Time{}, err
		}
		if !opened {
			break
		}
	}
	var next *time.Time
	if err := s.Store.Pool().QueryRow(ctx, `SELECT min(fire_at) FROM scheduled_tickets`).Scan(&next); err != nil {
		return time.Time{}, fmt.Errorf("read the schedule of tickets: %w", err)
	}
	if next == nil {
		return time.Time{}, nil
	}
	return *next, nil
}

// openOne opens the ticket due first that no other scheduler is opening,
// and says whether there was one. The row is locked, the ticket opened and
// the row deleted in one transaction: all of it happens, or none.
func (s *TicketScheduler) openOne(ctx context.Context) (bool, error) {
	now := s.now()
	tx, err := s.Store.Pool().Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("open a ticket due: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var orderID string
	var placedID, correlation pgtype.UUID
	err = tx.QueryRow(ctx, `SELECT order_id, placed_event_id, correlation_id FROM scheduled_tickets
		WHERE fire_at <= $1 ORDER BY fire_at, order_id LIMIT 1 FOR UPDATE SKIP LOCKED`, now).Scan(&orderID, &placedID, &correlation)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read the tickets due: %w", err)
	}
	orders, numbers, err := placedOrders(ctx, tx, s.Store, []string{orderID})
	if err != nil {
		return false, err
	}
	// An order canceled meanwhile gets no ticket; the policy, told of the
	// cancel, finds none to cancel.
	facts, err := opening(ctx, tx, s.Store, orders)
	if err != nil {
		return false, err
	}
	if order := orders[orderID]; order.Status == ordering.StatusPlaced {
		meta := reactionTo(kitchenTicketsPolicy, uuid.UUID(placedID.Bytes), uuid.UUID(correlation.Bytes))
		err := openTicket(ctx, tx, s.Store, meta, ticketFor(order, numbers[orderID], now.UTC(), facts))
		var de *domain.Error
		if errors.As(err, &de) {
			s.log().Warn("ticket of an order for later refused", "order_id", orderID, "reason", de.Message)
			err = nil
		}
		if err != nil {
			return false, fmt.Errorf("open the ticket of order %s: %w", orderID, err)
		}
	}
	if err := unscheduleTicket(ctx, tx, orderID); err != nil {
		return false, err
	}
	if err := tx.Commit(ctx); err != nil {
		return false, fmt.Errorf("open the ticket of order %s: %w", orderID, err)
	}
	s.Store.Committed()
	return true, nil
}
