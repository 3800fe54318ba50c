-- +goose Up
-- The last order number given, kept by the "orders" projection: counted once
-- per batch of events, rather than looked up as the highest number for every
-- new order (which, in a rebuild, passes every old row the rebuild removed).
CREATE TABLE order_numbers (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    last     bigint  NOT NULL
);
INSERT INTO order_numbers (last) SELECT coalesce(max(number), 0) FROM orders;

-- +goose Down
DROP TABLE order_numbers;
