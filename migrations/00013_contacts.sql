-- +goose Up
-- The person behind each order, as the staff and the guest see it: the name
-- the kitchen calls and the phone the courier rings (personal data, "" when
-- not given, as for orders placed before orders had a contact).
ALTER TABLE orders
    ADD COLUMN contact_name  text NOT NULL DEFAULT '',
    ADD COLUMN contact_phone text NOT NULL DEFAULT '';

-- The name on the kitchen's ticket.
ALTER TABLE tickets ADD COLUMN contact_name text NOT NULL DEFAULT '';

-- Every field's message of a refused command, so that the same command
-- sent again is refused with all of them again (NULL: at most one field).
ALTER TABLE commands ADD COLUMN reason_fields json;

-- +goose Down
ALTER TABLE commands DROP COLUMN reason_fields;
ALTER TABLE tickets DROP COLUMN contact_name;
ALTER TABLE orders DROP COLUMN contact_phone, DROP COLUMN contact_name;
