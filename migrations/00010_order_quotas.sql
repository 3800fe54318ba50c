-- +goose Up
-- Uses counted per key and per window (an hour, say), shared by every server
-- process on this database: how many orders a guest or an address opened
-- and placed this hour. A row is counted up in one statement that also
-- checks the limit, so two requests at once cannot both take the last use.
-- Rows of past windows are deleted as new windows start.
CREATE TABLE quota_uses (
    key          text        NOT NULL,
    window_start timestamptz NOT NULL,
    uses         integer     NOT NULL,
    PRIMARY KEY (key, window_start)
);
CREATE INDEX quota_uses_window_idx ON quota_uses (window_start);

-- +goose Down
DROP TABLE quota_uses;
