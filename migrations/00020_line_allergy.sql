-- +goose Up
-- Whether an order line's note is an allergy (what the kitchen must leave
-- out) rather than a wish. Guests could not say so before this column, so
-- every line already kept is rightly false: no rebuild is needed. Tickets
-- keep their dishes as JSON, which carries the flag already.
ALTER TABLE order_lines ADD COLUMN allergy boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE order_lines DROP COLUMN allergy;
