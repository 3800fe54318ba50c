-- +goose Up
-- Customers' passkeys: the public key material, kept outside the event log
-- (the log records PasskeyAdded and PasskeyRemoved with passkey_id only).
-- credential is the WebAuthn credential as the server verified it (its
-- public key, sign count and flags), in go-webauthn's JSON form. A row is
-- written in the transaction that appends its PasskeyAdded, and deleted
-- after its PasskeyRemoved; a sign-in checks the customer's stream too.
CREATE TABLE customer_passkeys (
    credential_id bytea       PRIMARY KEY,
    customer_id   text        NOT NULL,
    passkey_id    text        NOT NULL UNIQUE,
    credential    jsonb       NOT NULL,
    name          text        NOT NULL,
    created_at    timestamptz NOT NULL,
    last_used_at  timestamptz
);
CREATE INDEX customer_passkeys_customer_idx ON customer_passkeys (customer_id, created_at);

-- WebAuthn ceremonies under way: the challenge a browser was sent, kept
-- server-side and bound to that browser by a random cookie (only its hash
-- is here). Each is used once (deleted when it is answered) and expires in
-- a few minutes. customer_id is who is adding a passkey ('' for a sign-in);
-- name is the name they asked for.
CREATE TABLE passkey_ceremonies (
    ceremony_hash text        PRIMARY KEY,
    purpose       text        NOT NULL CHECK (purpose IN ('add', 'sign-in')),
    customer_id   text        NOT NULL DEFAULT '',
    name          text        NOT NULL DEFAULT '',
    session       jsonb       NOT NULL,
    expires_at    timestamptz NOT NULL
);
CREATE INDEX passkey_ceremonies_expires_idx ON passkey_ceremonies (expires_at);

-- +goose Down
DROP TABLE passkey_ceremonies;
DROP TABLE customer_passkeys;
