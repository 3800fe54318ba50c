-- +goose Up
-- Staff passwords, hashed (bcrypt). Never in the event log: events name the
-- staff member, this table holds their secret.
CREATE TABLE staff_credentials (
    username      text        PRIMARY KEY,
    password_hash text        NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Failed sign-ins per account and per address, to slow guessing down.
CREATE TABLE sign_in_failures (
    key          text        PRIMARY KEY,
    failures     integer     NOT NULL,
    last_failure timestamptz NOT NULL
);

-- Staff sessions (alexedwards/scs postgresstore).
CREATE TABLE sessions (
    token  text        PRIMARY KEY,
    data   bytea       NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- The team as the manager's page lists it, kept by the "staff" projection.
CREATE TABLE staff_members (
    username   text        PRIMARY KEY,
    role       text        NOT NULL,
    disabled   boolean     NOT NULL DEFAULT false,
    added_at   timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE staff_members;
DROP TABLE sessions;
DROP TABLE sign_in_failures;
DROP TABLE staff_credentials;
