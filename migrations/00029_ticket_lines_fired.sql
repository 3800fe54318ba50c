-- +goose Up
-- The held dishes of a kitchen ticket fired before their time (fire by
-- prep time), by their order line's id (kitchen.TicketLineFired). A dish's
-- own fire time is in the ticket's items. No dish was held before this
-- column, so every ticket already kept rightly has none: no rebuild is
-- needed.
ALTER TABLE tickets ADD COLUMN fired_lines text[] NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE tickets DROP COLUMN fired_lines;
