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

-- +goose Down
DROP TABLE failed_sign_ins;
