-- +goose Up
-- The groups of choices a guest makes about a dish ("Size: choose 1",
-- "Extras: up to 3"), kept by the "menu" projection. seq is the position of
-- the event that added the group or choice: the order the menu shows them in.
CREATE TABLE menu_option_groups (
    item_id     text    NOT NULL,
    group_id    text    NOT NULL,
    seq         bigint  NOT NULL,
    name        text    NOT NULL,
    required    boolean NOT NULL,
    min_choices integer NOT NULL,
    max_choices integer NOT NULL,
    PRIMARY KEY (item_id, group_id)
);

CREATE TABLE menu_option_choices (
    item_id               text   NOT NULL,
    group_id              text   NOT NULL,
    choice_id             text   NOT NULL,
    seq                   bigint NOT NULL,
    name                  text   NOT NULL,
    price_change_amount   bigint NOT NULL,
    price_change_currency text   NOT NULL,
    PRIMARY KEY (item_id, group_id, choice_id),
    FOREIGN KEY (item_id, group_id) REFERENCES menu_option_groups ON DELETE CASCADE
);

-- The choices each order line was ordered with, as the guest chose them
-- (names and price changes as the menu had them then); unit_amount is what
-- one of the dish costs with them. Lines of orders taken before dishes had
-- options have none.
ALTER TABLE order_lines ADD COLUMN options json NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE order_lines DROP COLUMN options;
DROP TABLE menu_option_choices;
DROP TABLE menu_option_groups;
