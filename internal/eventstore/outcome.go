package eventstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"restaurant/domain"
)

// Every command is remembered with its outcome, in the commands table: the
// events it wrote (recorded by the same statement as the events, see
// insertSQL), no change, or a refusal and its reason. Idempotency cannot
// rest on event ids alone: a command that decided nothing leaves no event,
// so a repeat of it would be decided again against a newer state.

// Outcomes of a command.
const (
	OutcomeWritten   = "written"
	OutcomeUnchanged = "unchanged"
	OutcomeRefused   = "refused"
)

// ErrCommandReused is matched by a CommandReusedError.
var ErrCommandReused = errors.New("command id reused for a different request")

// CommandReusedError says a command id (a client's idempotency key) came
// again with another request: another body, another stream or another
// command. Nothing is written; the client must use a new key.
type CommandReusedError struct {
	CommandID uuid.UUID
}

func (e *CommandReusedError) Error() string {
	return fmt.Sprintf("command %s was already used for a different request", e.CommandID)
}

// Is makes errors.Is(err, ErrCommandReused) true.
func (e *CommandReusedError) Is(target error) bool { return target == ErrCommandReused }

// CommandRecord is a command as remembered.
type CommandRecord struct {
	CommandID     uuid.UUID
	StreamID      string
	Type          string
	Request       string
	Outcome       string
	Reason        *domain.Error // a refusal's reason
	Actor         string
	Position      int64
	StreamVersion int
	RecordedAt    time.Time
}

// recordOutcomeSQL remembers a command that wrote no event. A command id
// remembered already is left as it was: the caller then answers as the
// first run did.
const recordOutcomeSQL = `INSERT INTO commands (command_id, stream_id, type, request, outcome,
	reason_code, reason_field, reason, actor, correlation_id, causation_id, position, stream_version, reason_fields)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
ON CONFLICT (command_id) DO NOTHING`

// fieldReason is one field's message of a refusal, as the commands table
// keeps it, so that a repeated command is refused with every field again.
type fieldReason struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// recordOutcome remembers a command that decided no change or was refused,
// and says whether it was new.
func recordOutcome(ctx context.Context, q execQuerier, stream string, meta Metadata, outcome string, reason *domain.Error, at Result) (bool, error) {
	var code, field, text *string
	var fields []byte // JSON, or NULL when the refusal names at most one field
	if reason != nil {
		code, field, text = &reason.Code, &reason.Field, &reason.Message
		if len(reason.Fields) > 0 {
			kept := make([]fieldReason, len(reason.Fields))
			for i, f := range reason.Fields {
				kept[i] = fieldReason(f)
			}
			var err error
			if fields, err = json.Marshal(kept); err != nil {
				return false, fmt.Errorf("remember command %s on %s: %w", meta.CommandID, stream, err)
			}
		}
	}
	corr := meta.CorrelationID
	if corr == uuid.Nil {
		corr = meta.CommandID
	}
	var pos *int64
	if at.Position > 0 {
		pos = &at.Position
	}
	tag, err := q.Exec(ctx, recordOutcomeSQL, pgUUID(meta.CommandID), stream, meta.Command, meta.Request, outcome,
		code, field, text, meta.Actor, pgUUID(corr), pgtype.UUID{Bytes: meta.CausationID, Valid: meta.CausationID != uuid.Nil},
		pos, at.StreamVersion, fields)
	if err != nil {
		return false, fmt.Errorf("remember command %s on %s: %w", meta.CommandID, stream, err)
	}
	return tag.RowsAffected() == 1, nil
}

type execQuerier interface {
	Querier
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// Command returns what is remembered of a command, if anything.
func (s *Store) Command(ctx context.Context, id uuid.UUID) (CommandRecord, bool, error) {
	return lookUpCommand(ctx, s.pool, id)
}

func lookUpCommand(ctx context.Context, q Querier, id uuid.UUID) (CommandRecord, bool, error) {
	rows, err := q.Query(ctx, `SELECT `+commandColumns+` FROM commands WHERE command_id = $1`, pgUUID(id))
	if err != nil {
		return CommandRecord{}, false, fmt.Errorf("look up command %s: %w", id, err)
	}
	recs, err := collectCommands(rows)
	if err != nil || len(recs) == 0 {
		return CommandRecord{}, false, err
	}
	return recs[0], true, nil
}

const commandColumns = `command_id, stream_id, type, request, outcome, reason_code, reason_field, reason,
	actor, coalesce(position, 0), stream_version, recorded_at, reason_fields`

func collectCommands(rows pgx.Rows) ([]CommandRecord, error) {
	defer rows.Close()
	var out []CommandRecord
	for rows.Next() {
		var c CommandRecord
		var id pgtype.UUID
		var code, field, reason *string
		var fields []byte
		if err := rows.Scan(&id, &c.StreamID, &c.Type, &c.Request, &c.Outcome, &code, &field, &reason,
			&c.Actor, &c.Position, &c.StreamVersion, &c.RecordedAt, &fields); err != nil {
			return nil, fmt.Errorf("read commands: %w", err)
		}
		c.CommandID = id.Bytes
		if code != nil {
			c.Reason = &domain.Error{Code: *code, Message: deref(reason), Field: deref(field)}
			if len(fields) > 0 {
				var kept []fieldReason
				if err := json.Unmarshal(fields, &kept); err != nil {
					return nil, fmt.Errorf("read command %s reasons: %w", uuid.UUID(id.Bytes), err)
				}
				for _, f := range kept {
					c.Reason.Fields = append(c.Reason.Fields, domain.FieldError(f))
				}
			}
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// RefusedCommands lists the commands refused on a stream, oldest first:
// user intent that left no event, for the stream's audit history.
func (s *Store) RefusedCommands(ctx context.Context, stream string) ([]CommandRecord, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+commandColumns+` FROM commands
		WHERE stream_id = $1 AND outcome = 'refused' ORDER BY recorded_at, command_id`, stream)
	if err != nil {
		return nil, fmt.Errorf("refused commands of %s: %w", stream, err)
	}
	return collectCommands(rows)
}

// LastWrite returns the place in the global order of the last event an
// actor's commands wrote: what a read by that actor must wait for to show
// them their own writes. recent says it was written within the last
// `within`, by the database's clock: a copy of a read model kept in memory
// for less than that may not show it yet.
func (s *Store) LastWrite(ctx context.Context, actor string, within time.Duration) (c Cursor, recent bool, err error) {
	err = s.pool.QueryRow(ctx, `SELECT transaction_id, position, recorded_at > now() - $2::interval FROM commands
		WHERE actor = $1 AND outcome = 'written' ORDER BY transaction_id DESC, position DESC LIMIT 1`, actor, within).Scan(&c.TxID, &c.Position, &recent)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return Cursor{}, false, fmt.Errorf("last write of %s: %w", actor, err)
	}
	return c, recent, nil
}

// answerRepeat answers a command id that is remembered already: as its
// first run was answered, if it is the same request on the same stream, or
// with a CommandReusedError. found is false when it is not remembered.
func (s *Store) answerRepeat(ctx context.Context, q Querier, stream string, meta Metadata) (res Result, found bool, err error) {
	rec, found, err := lookUpCommand(ctx, q, meta.CommandID)
	if err != nil || !found {
		return Result{}, found, err
	}
	if rec.StreamID != stream || (rec.Request != "" && meta.Request != "" && rec.Request != meta.Request) ||
		(rec.Type != "" && meta.Command != "" && rec.Type != meta.Command) {
		return Result{}, true, &CommandReusedError{CommandID: meta.CommandID}
	}
	switch rec.Outcome {
	case OutcomeRefused:
		if rec.Reason == nil {
			return Result{}, true, domain.Conflict("This was refused before.")
		}
		return Result{}, true, rec.Reason
	case OutcomeUnchanged:
		return Result{StreamVersion: rec.StreamVersion, Position: rec.Position, Duplicate: true}, true, nil
	}
	prev, err := s.earlierRun(ctx, q, stream, meta.CommandID)
	if err != nil {
		return Result{}, true, fmt.Errorf("append to %s: look up an earlier run: %w", stream, err)
	}
	if len(prev) == 0 {
		return Result{}, true, fmt.Errorf("append to %s: command %s is remembered as written, but its events are not there", stream, meta.CommandID)
	}
	return resultOf(prev, true), true, nil
}

// isCommandRemembered says an insert failed because its command id is
// remembered already (with another stream, or with no events).
func isCommandRemembered(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == "commands_pkey"
}
