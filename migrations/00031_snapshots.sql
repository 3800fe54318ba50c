-- +goose Up
-- Snapshots of long streams: a stream's state as its decider folded it, at
-- a version, so that loading the stream folds only the events after it.
-- They are a cache: the events stay the truth, and deleting any row, or
-- all of them, is always safe. shape names the state's Go type and the
-- decider's snapshot version it was made with; a row of another shape is
-- ignored. event_id is the event at version, so a row that does not match
-- the stream's history is ignored too.
CREATE TABLE snapshots (
    stream_id text        PRIMARY KEY,
    version   integer     NOT NULL CHECK (version > 0),
    event_id  uuid        NOT NULL,
    shape     text        NOT NULL,
    state     jsonb       NOT NULL,
    taken_at  timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE snapshots;
