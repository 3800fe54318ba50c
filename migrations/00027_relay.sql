-- +goose Up
-- The relay that publishes integration messages to the broker keeps its
-- checkpoint in checkpoints, like a projection; here it says how it stands
-- with the broker, for the operators' page and the metrics, whichever
-- process runs it. seen_at is its heartbeat: a row not seen for a while
-- belongs to a relay that is no longer running.
CREATE TABLE relay_status (
    name          text        PRIMARY KEY,
    connected     boolean     NOT NULL DEFAULT false,
    changed_at    timestamptz NOT NULL DEFAULT now(),
    seen_at       timestamptz NOT NULL DEFAULT now(),
    last_error    text,
    last_error_at timestamptz
);

-- +goose Down
DROP TABLE relay_status;
