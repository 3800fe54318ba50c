-- +goose Up
ALTER TABLE checkpoints
    ADD COLUMN last_error    text,
    ADD COLUMN last_error_at timestamptz;

-- The menu as guests see it, kept by the "menu" projection.
CREATE TABLE menu_items (
    item_id        text        PRIMARY KEY,
    name           text        NOT NULL,
    description    text        NOT NULL,
    category       text        NOT NULL,
    price_amount   bigint      NOT NULL,
    price_currency text        NOT NULL,
    sold_out       boolean     NOT NULL DEFAULT false,
    removed        boolean     NOT NULL DEFAULT false,
    -- Popularity, learnt from the orders' events as the Menu service did.
    times_added    bigint      NOT NULL DEFAULT 0,
    units_added    bigint      NOT NULL DEFAULT 0,
    listed_seq     bigint      NOT NULL,
    updated_at     timestamptz NOT NULL
);

-- Orders as their guests and the staff see them, kept by the "orders" projection.
CREATE TABLE orders (
    order_id         text        PRIMARY KEY,
    number           bigint      NOT NULL UNIQUE,
    customer_id      text        NOT NULL,
    status           text        NOT NULL,
    fulfilment       text        NOT NULL DEFAULT '',
    delivery_address json,
    item_count       integer     NOT NULL DEFAULT 0,
    total_amount     bigint      NOT NULL DEFAULT 0,
    total_currency   text        NOT NULL DEFAULT 'EUR',
    opened_at        timestamptz NOT NULL,
    placed_at        timestamptz,
    canceled_at      timestamptz,
    cancel_reason    text        NOT NULL DEFAULT '',
    version          integer     NOT NULL,
    updated_at       timestamptz NOT NULL
);
CREATE INDEX orders_customer_idx ON orders (customer_id, opened_at DESC);
CREATE INDEX orders_status_idx ON orders (status, opened_at DESC);

CREATE TABLE order_lines (
    order_id       text    NOT NULL REFERENCES orders ON DELETE CASCADE,
    line_id        text    NOT NULL,
    seq            integer NOT NULL,
    menu_item_id   text    NOT NULL,
    name           text    NOT NULL,
    quantity       integer NOT NULL,
    note           text    NOT NULL,
    unit_amount    bigint  NOT NULL,
    unit_currency  text    NOT NULL,
    PRIMARY KEY (order_id, line_id)
);

-- +goose Down
DROP TABLE order_lines;
DROP TABLE orders;
DROP TABLE menu_items;
ALTER TABLE checkpoints DROP COLUMN last_error, DROP COLUMN last_error_at;
