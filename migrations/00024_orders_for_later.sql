-- +goose Up
-- The time for later an order was asked for (ordering.OrderScheduled); NULL
-- for an order as soon as possible, as for every order before orders had
-- times.
ALTER TABLE orders ADD COLUMN scheduled_for timestamptz;

-- The time an order for later is due, on its kitchen ticket; NULL for an
-- order as soon as possible. A ticket's placed_at is when it joined the
-- kitchen's queue (kitchen.TicketOpened.Since): its order's placing, or the
-- moment the ticket of an order for later was opened.
ALTER TABLE tickets ADD COLUMN due_at timestamptz;

-- The kitchen policy's orders for later whose tickets are still to open:
-- the policy's own state, written with its checkpoint and never rebuilt
-- (policies are not replayed). fire_at is when to open the ticket; the
-- OrderPlaced event's id and correlation id make the opening the very
-- command the policy would have sent at placing, under the same id.
CREATE TABLE scheduled_tickets (
    order_id        text        PRIMARY KEY,
    fire_at         timestamptz NOT NULL,
    due_at          timestamptz NOT NULL,
    placed_event_id uuid        NOT NULL,
    correlation_id  uuid        NOT NULL,
    scheduled_at    timestamptz NOT NULL
);
CREATE INDEX scheduled_tickets_fire_at_idx ON scheduled_tickets (fire_at);

-- +goose Down
DROP TABLE scheduled_tickets;
ALTER TABLE tickets DROP COLUMN due_at;
ALTER TABLE orders DROP COLUMN scheduled_for;
