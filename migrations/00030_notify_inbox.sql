-- +goose Up
-- The notifications service's inbox: one row per message it has handled,
-- keyed by the message's id, so that a message delivered again (a resend
-- after a publisher's crash, a redelivery after the service's own) is
-- acknowledged without sending its email twice. It keeps no personal data:
-- no address and no name, only what was done with which message and when.
CREATE TABLE notify_inbox (
    message_id text PRIMARY KEY,
    type       text NOT NULL,
    order_id   text NOT NULL DEFAULT '',
    outcome    text NOT NULL CHECK (outcome IN ('sent', 'failed', 'skipped')),
    reason     text NOT NULL DEFAULT '',
    handled_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE notify_inbox;
