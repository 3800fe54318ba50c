-- +goose Up
-- Every command the store was asked to run, with what came of it: events
-- written, no change, or refused with its reason. A command that decided
-- nothing leaves no event, so without this a repeat of it would be decided
-- again; with it, a repeat answers as the first run did, and a key reused
-- for another request is caught. Refused attempts are user intent too: the
-- audit history lists them. Like the event log, it is only ever added to.
CREATE TABLE commands (
    command_id     uuid        PRIMARY KEY,
    stream_id      text        NOT NULL,
    -- The command's name ("ordering.CancelOrder"); empty for a bare append.
    type           text        NOT NULL DEFAULT '',
    -- A digest of the client's request (method, path, fields); empty when
    -- there was none to compare, which any repeat matches.
    request        text        NOT NULL DEFAULT '',
    outcome        text        NOT NULL CHECK (outcome IN ('written', 'unchanged', 'refused')),
    -- A refusal's reason, as the domain gave it.
    reason_code    text,
    reason_field   text,
    reason         text,
    actor          text        NOT NULL,
    correlation_id uuid,
    causation_id   uuid,
    -- For written commands, the place of the last event they wrote (the
    -- transaction is the events'); for the others, the stream as it was.
    transaction_id xid8        NOT NULL DEFAULT pg_current_xact_id(),
    position       bigint,
    stream_version integer     NOT NULL DEFAULT 0,
    recorded_at    timestamptz NOT NULL DEFAULT now()
);

-- A client's last acknowledged write, for session consistency.
CREATE INDEX commands_actor_written_idx ON commands (actor, transaction_id, position)
    WHERE outcome = 'written';
-- The refusals of a stream, for its audit history.
CREATE INDEX commands_refused_stream_idx ON commands (stream_id, recorded_at)
    WHERE outcome = 'refused';

CREATE TRIGGER commands_no_update BEFORE UPDATE OR DELETE ON commands
    FOR EACH ROW EXECUTE FUNCTION events_are_immutable();
CREATE TRIGGER commands_no_truncate BEFORE TRUNCATE ON commands
    FOR EACH STATEMENT EXECUTE FUNCTION events_are_immutable();

-- Commands that wrote before this table existed.
INSERT INTO commands (command_id, stream_id, outcome, actor, correlation_id, causation_id,
                      transaction_id, position, stream_version, recorded_at)
SELECT DISTINCT ON (command_id) command_id, stream_id, 'written', actor, correlation_id, causation_id,
       transaction_id, position, version, recorded_at
FROM events
ORDER BY command_id, transaction_id DESC, position DESC;

-- +goose Down
DROP TABLE commands;
