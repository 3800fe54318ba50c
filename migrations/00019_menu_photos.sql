-- +goose Up
-- Dish photos as the pages show them: each upload cropped square and scaled
-- to every size the menu uses, as JPEG. The id is made from the upload's
-- content, so a photo's URL never changes and is cached for good. The event
-- log records which photo a dish shows (menu.MenuItemPhotoChanged), never
-- the bytes.
CREATE TABLE menu_photos (
    photo_id   text        NOT NULL CHECK (photo_id ~ '^[0-9a-f]{32}$'),
    size       integer     NOT NULL CHECK (size > 0),
    data       bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (photo_id, size)
);

-- The photo each dish shows, "" for none.
ALTER TABLE menu_items ADD COLUMN photo_id text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE menu_items DROP COLUMN photo_id;
DROP TABLE menu_photos;
