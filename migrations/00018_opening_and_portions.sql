-- +goose Up
-- The restaurant's settings as the "settings" projection folds them (one
-- row): opening hours, closed days, a pause of online orders.
CREATE TABLE restaurant_settings (
    id         boolean     PRIMARY KEY DEFAULT true CHECK (id),
    state      jsonb       NOT NULL,
    updated_at timestamptz NOT NULL
);

-- The portions left of each dish with a limit, kept by the "portions"
-- projection; a dish without a row has no limit.
CREATE TABLE dish_portions (
    item_id       text        PRIMARY KEY,
    portions_left integer     NOT NULL,
    updated_at    timestamptz NOT NULL
);

-- +goose Down
DROP TABLE dish_portions;
DROP TABLE restaurant_settings;
