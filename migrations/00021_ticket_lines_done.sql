-- +goose Up
-- The dishes of a kitchen ticket marked done one by one, by their order
-- line's id, in the order they were marked (kitchen.TicketLineBumped, and
-- kitchen.TicketLineRecalled takes one back). No dish was marked before
-- this column, so every ticket already kept rightly has none: no rebuild is
-- needed.
ALTER TABLE tickets ADD COLUMN done_lines text[] NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE tickets DROP COLUMN done_lines;
