-- +goose Up
-- Failed sign-ins one by one, for the note managers read on the team page
-- ("23 failed sign-ins for admin in the last hour from 3 addresses"); kept
-- for a day. The counters that brake guessing stay in sign_in_failures.
CREATE TABLE failed_sign_ins (
    username  text        NOT NULL,
    address   text        NOT NULL,
    failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX failed_sign_ins_failed_at_idx ON failed_sign_ins (failed_at);

-- Whose each staff session is (the session's data is gob-encoded), so that
-- a member's sessions can be ended when their password changes or they are
-- disabled. Written at sign-in, removed with the session.
CREATE TABLE staff_sessions (
    token        text        PRIMARY KEY,
    username     text        NOT NULL,
    signed_in_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX staff_sessions_username_idx ON staff_sessions (username);

-- +goose Down
DROP TABLE staff_sessions;
DROP TABLE failed_sign_ins;
