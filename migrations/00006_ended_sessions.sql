-- +goose Up
-- Staff sessions signed out of, kept for as long as a session can live, so
-- that a request still in flight at sign-out cannot write its session back.
CREATE TABLE ended_sessions (
    token    text        PRIMARY KEY,
    ended_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ended_sessions_ended_at_idx ON ended_sessions (ended_at);

-- +goose Down
DROP TABLE ended_sessions;
