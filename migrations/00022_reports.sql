-- +goose Up
-- The managers' reports, read from history: two read models, one per
-- context whose events they follow. Times are instants; a report groups
-- them by day and hour in the restaurant's time zone when it is asked, so
-- a change of zone needs no rebuild.

-- The "order-reports" projection: every order as the sales, item mix and
-- cancellations reports see it. number counts orders as they were opened,
-- as the orders' read model does; items and revenue are the order's at its
-- placing (a placed order takes no more changes); canceled_by is the actor
-- of the cancel.
CREATE TABLE report_orders (
    order_id      text        PRIMARY KEY,
    number        bigint      NOT NULL,
    opened_at     timestamptz NOT NULL,
    placed_at     timestamptz,
    items         integer     NOT NULL DEFAULT 0,
    revenue       bigint      NOT NULL DEFAULT 0,
    currency      text        NOT NULL DEFAULT 'EUR',
    canceled_at   timestamptz,
    cancel_reason text        NOT NULL DEFAULT '',
    canceled_by   text        NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX report_orders_number_idx ON report_orders (number);
CREATE INDEX report_orders_placed_idx ON report_orders (placed_at) WHERE placed_at IS NOT NULL;
CREATE INDEX report_orders_canceled_idx ON report_orders (canceled_at) WHERE canceled_at IS NOT NULL;

-- Each order's dishes, with their choices as one label ("Large, Olives").
CREATE TABLE report_lines (
    order_id     text    NOT NULL,
    line_id      text    NOT NULL,
    menu_item_id text    NOT NULL,
    name         text    NOT NULL,
    options      text    NOT NULL DEFAULT '',
    quantity     integer NOT NULL,
    unit_amount  bigint  NOT NULL,
    currency     text    NOT NULL,
    PRIMARY KEY (order_id, line_id)
);

-- The "kitchen-reports" projection: each ticket's times by the kitchen's
-- clock. ready_at is the last bump (a recall clears it until the next);
-- recalls counts how often it came back.
CREATE TABLE report_tickets (
    ticket_id      text        PRIMARY KEY,
    order_number   bigint      NOT NULL,
    placed_at      timestamptz NOT NULL,
    started_at     timestamptz,
    ready_at       timestamptz,
    handed_over_at timestamptz,
    canceled_at    timestamptz,
    recalls        integer     NOT NULL DEFAULT 0
);
CREATE INDEX report_tickets_placed_idx ON report_tickets (placed_at);

-- Each ticket's dishes, as the cooks read them.
CREATE TABLE report_ticket_dishes (
    ticket_id text    NOT NULL,
    seq       integer NOT NULL,
    name      text    NOT NULL,
    options   text    NOT NULL DEFAULT '',
    quantity  integer NOT NULL,
    PRIMARY KEY (ticket_id, seq)
);

-- +goose Down
DROP TABLE report_ticket_dishes;
DROP TABLE report_tickets;
DROP TABLE report_lines;
DROP TABLE report_orders;
