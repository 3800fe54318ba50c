-- +goose Up
-- Secrets the server keeps across restarts, generated once by the
-- application (crypto/rand): "email-key" keys the hash that names an email
-- address's reservation stream, so the stream id says nothing about it.
CREATE TABLE server_secrets (
    name       text        PRIMARY KEY,
    value      bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Customer passwords, hashed (bcrypt). Never in the event log.
CREATE TABLE customer_credentials (
    customer_id   text        PRIMARY KEY,
    password_hash text        NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Customers and their address books as their pages show them, kept by the
-- "customers" projection.
CREATE TABLE customers (
    customer_id     text        PRIMARY KEY,
    name            text        NOT NULL,
    email           text        NOT NULL,
    phone           text        NOT NULL,
    default_address text        NOT NULL DEFAULT '',
    signed_up_at    timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);

CREATE TABLE customer_addresses (
    customer_id  text    NOT NULL REFERENCES customers ON DELETE CASCADE,
    address_id   text    NOT NULL,
    seq          bigint  NOT NULL,
    nickname     text    NOT NULL,
    street       text    NOT NULL,
    postal_code  text    NOT NULL,
    city         text    NOT NULL,
    instructions text    NOT NULL,
    PRIMARY KEY (customer_id, address_id)
);

-- The guest orders each customer adopted.
CREATE TABLE customer_orders (
    customer_id text        NOT NULL REFERENCES customers ON DELETE CASCADE,
    order_id    text        NOT NULL,
    adopted_at  timestamptz NOT NULL,
    PRIMARY KEY (customer_id, order_id)
);

-- +goose Down
DROP TABLE customer_orders;
DROP TABLE customer_addresses;
DROP TABLE customers;
DROP TABLE customer_credentials;
DROP TABLE server_secrets;
