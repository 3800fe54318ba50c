-- +goose Up
-- How far the kitchen has got with an order, as its guest sees it.
ALTER TABLE orders ADD COLUMN kitchen_status text NOT NULL DEFAULT '';

-- The kitchen display's tickets, kept by the "tickets" projection.
CREATE TABLE tickets (
    ticket_id      text        PRIMARY KEY,
    order_number   bigint      NOT NULL,
    items          json        NOT NULL,
    fulfilment     text        NOT NULL,
    status         text        NOT NULL,
    placed_at      timestamptz NOT NULL,
    opened_at      timestamptz NOT NULL,
    started_at     timestamptz,
    bumped_at      timestamptz,
    handed_over_at timestamptz,
    canceled_at    timestamptz,
    cancel_reason  text        NOT NULL DEFAULT '',
    updated_at     timestamptz NOT NULL
);
CREATE INDEX tickets_status_idx ON tickets (status, placed_at);

-- +goose Down
DROP TABLE tickets;
ALTER TABLE orders DROP COLUMN kitchen_status;
