-- +goose Up
-- The menu's categories in the managers' order, kept by the "menu"
-- projection: those added by managers, and those that dishes stored before
-- categories were managed imply (see domain/menu).
CREATE TABLE menu_categories (
    category_id text    PRIMARY KEY,
    name        text    NOT NULL,
    position    integer NOT NULL
);

-- A dish is filed under a category by id, and lists its allergens (EU
-- Regulation 1169/2011, annex II) and diets; allergens_unlisted marks a dish
-- stored before dishes listed them.
ALTER TABLE menu_items
    DROP COLUMN category,
    ADD COLUMN category_id        text    NOT NULL DEFAULT '',
    ADD COLUMN allergens          text[]  NOT NULL DEFAULT '{}',
    ADD COLUMN diets              text[]  NOT NULL DEFAULT '{}',
    ADD COLUMN allergens_unlisted boolean NOT NULL DEFAULT false;

-- The menu's rows are folded again from the first event, through the
-- upcaster that files old dishes under the categories they imply.
DELETE FROM menu_items;
DELETE FROM checkpoints WHERE name = 'menu';

-- Commands that file a dish or change the categories read the menu's
-- streams' events (domain.Scope); this keeps that read off the rest of the log.
CREATE INDEX events_menu_idx ON events (transaction_id, position) WHERE stream_id LIKE 'menu-%';

-- +goose Down
DROP INDEX events_menu_idx;
DELETE FROM menu_items;
DELETE FROM checkpoints WHERE name = 'menu';
ALTER TABLE menu_items
    DROP COLUMN allergens_unlisted,
    DROP COLUMN diets,
    DROP COLUMN allergens,
    DROP COLUMN category_id,
    ADD COLUMN category text NOT NULL DEFAULT '';
DROP TABLE menu_categories;
