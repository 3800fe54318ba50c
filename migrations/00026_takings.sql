-- +goose Up
-- How each order was paid at its hand-over (kitchen.TicketHandedOver's
-- payment: cash, card or unpaid, and why not), for the takings by method:
-- '' before the hand-over, and for hand-overs from before the kitchen asked,
-- which the report counts as not recorded. The events of those hand-overs
-- have no payment, so the rows that exist are already right.
ALTER TABLE report_tickets
    ADD COLUMN payment       text NOT NULL DEFAULT '',
    ADD COLUMN unpaid_reason text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE report_tickets DROP COLUMN unpaid_reason, DROP COLUMN payment;
