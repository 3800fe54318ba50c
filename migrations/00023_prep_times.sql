-- +goose Up
-- How many minutes each dish takes to make (menu.MenuItemPrepTimeSet), from
-- which the kitchen quotes when an order will be ready; 0 until a manager
-- sets it, which counts as menu.DefaultPrepMinutes.
ALTER TABLE menu_items ADD COLUMN prep_minutes integer NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE menu_items DROP COLUMN prep_minutes;
