-- +goose Up
-- The keys that seal personal data in the events (names, emails, phones,
-- addresses, delivery instructions), one per person: a customer id, or a
-- guest id for a guest's contact. They are kept outside the event log, which
-- is never rewritten, so that erasing a person can delete what the log
-- cannot: their key. A row without a key is an erased person's tombstone; no
-- key is ever made for them again.
CREATE TABLE personal_keys (
    subject    text        PRIMARY KEY,
    key        bytea       CHECK (length(key) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    erased_at  timestamptz,
    CHECK ((key IS NULL) = (erased_at IS NOT NULL))
);

-- Whose contact each ticket shows, so that erasing the person clears it.
ALTER TABLE tickets ADD COLUMN subject_id text NOT NULL DEFAULT '';

-- An order whose contact was erased with its person: the staff see "erased
-- customer" rather than no contact.
ALTER TABLE orders ADD COLUMN contact_erased boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE orders DROP COLUMN contact_erased;
ALTER TABLE tickets DROP COLUMN subject_id;
DROP TABLE personal_keys;
