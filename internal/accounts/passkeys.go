package accounts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"restaurant/domain"
	"restaurant/domain/customers"
	"restaurant/internal/eventstore"
)

// ErrPasskeyTaken is a passkey whose credential is on an account already:
// an authenticator registered twice, or another customer's.
var ErrPasskeyTaken = errors.New("the passkey is on an account already")

// Passkeys keeps customers' passkeys: the WebAuthn credentials (public keys,
// sign counts) in customer_passkeys, outside the event log. A row is written
// in the transaction that appends its PasskeyAdded to the customer's stream,
// so no key is kept that the stream does not know, and deleted after its
// PasskeyRemoved. The stream is the word on which passkeys an account has:
// a sign-in checks it too.
type Passkeys struct {
	Store *eventstore.Store
}

// Passkey is one passkey of a customer, with its credential.
type Passkey struct {
	ID         string // the passkey id of the customer's events
	CustomerID string
	Name       string
	CreatedAt  time.Time
	LastUsedAt time.Time // zero: never used to sign in
	Credential webauthn.Credential
}

// Add appends cmd to the customer's stream and keeps its credential, in one
// transaction. A credential on an account already is ErrPasskeyTaken, and
// writes nothing; so does a command the customer's decider refuses. Its
// command id is the server's own, never a client's key: a key sent again is
// for eventstore.Handle to answer, which remembers every outcome.
func (p Passkeys) Add(ctx context.Context, meta eventstore.Metadata, customerID string, cmd customers.AddPasskey, cred *webauthn.Credential) (eventstore.Result, error) {
	doc, err := json.Marshal(cred)
	if err != nil {
		return eventstore.Result{}, fmt.Errorf("encode passkey: %w", err)
	}
	for attempt := 1; ; attempt++ {
		var res eventstore.Result
		err := pgx.BeginFunc(ctx, p.Store.Pool(), func(tx pgx.Tx) error {
			var err error
			if res, err = eventstore.HandleTx(ctx, tx, p.Store, customers.Stream(customerID), customers.Decider, meta, customers.Command(cmd)); err != nil {
				return err
			}
			for _, e := range res.Events {
				if added, ok := e.Event.(customers.PasskeyAdded); ok {
					if err := keepPasskey(ctx, tx, added, cred.ID, doc); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err == nil {
			p.Store.Committed()
			return res, nil
		}
		// Another writer appended to the stream meanwhile: decide again.
		if !errors.Is(err, eventstore.ErrConflict) || attempt == eventstore.MaxAttempts {
			return eventstore.Result{}, fmt.Errorf("add a passkey for customer %s: %w", customerID, err)
		}
	}
}

func keepPasskey(ctx context.Context, tx pgx.Tx, e customers.PasskeyAdded, credentialID, credential []byte) error {
	_, err := tx.Exec(ctx, `INSERT INTO customer_passkeys (credential_id, customer_id, passkey_id, credential, name, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, credentialID, e.CustomerID, e.PasskeyID, credential, e.Name, e.AddedAt)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == "customer_passkeys_pkey" {
		return ErrPasskeyTaken
	}
	return err
}

// Remove appends cmd to the customer's stream as any command of the
// customer's (a command id sent again is answered as the first time), then
// forgets the passkey's credential. A credential left behind by a failure
// in between signs no one in (the stream says it is gone), and goes when the
// command is sent again, or when the customer removes it once more and is
// told it is not on the account.
func (p Passkeys) Remove(ctx context.Context, meta eventstore.Metadata, customerID string, cmd customers.RemovePasskey) (eventstore.Result, error) {
	res, err := eventstore.Handle(ctx, p.Store, customers.Stream(customerID), customers.Decider, meta, customers.Command(cmd))
	if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
		return res, err
	}
	if _, derr := p.Store.Pool().Exec(ctx, `DELETE FROM customer_passkeys WHERE customer_id = $1 AND passkey_id = $2`, customerID, cmd.PasskeyID); derr != nil {
		return eventstore.Result{}, fmt.Errorf("forget passkey %s: %w", cmd.PasskeyID, derr)
	}
	return res, err
}

const passkeyColumns = `passkey_id, customer_id, name, created_at, coalesce(last_used_at, 'epoch'), credential`

// List is the customer's passkeys, oldest first.
func (p Passkeys) List(ctx context.Context, customerID string) ([]Passkey, error) {
	rows, err := p.Store.Pool().Query(ctx, `SELECT `+passkeyColumns+` FROM customer_passkeys WHERE customer_id = $1 ORDER BY created_at, passkey_id`, customerID)
	if err != nil {
		return nil, fmt.Errorf("list passkeys of customer %s: %w", customerID, err)
	}
	list, err := pgx.CollectRows(rows, scanPasskey)
	if err != nil {
		return nil, fmt.Errorf("list passkeys of customer %s: %w", customerID, err)
	}
	return list, nil
}

// Find is the passkey whose credential has this id, false when none has.
func (p Passkeys) Find(ctx context.Context, credentialID []byte) (Passkey, bool, error) {
	rows, err := p.Store.Pool().Query(ctx, `SELECT `+passkeyColumns+` FROM customer_passkeys WHERE credential_id = $1`, credentialID)
	if err != nil {
		return Passkey{}, false, fmt.Errorf("find passkey: %w", err)
	}
	pk, err := pgx.CollectExactlyOneRow(rows, scanPasskey)
	if errors.Is(err, pgx.ErrNoRows) {
		return Passkey{}, false, nil
	}
	if err != nil {
		return Passkey{}, false, fmt.Errorf("find passkey: %w", err)
	}
	return pk, true, nil
}

// Used keeps what a sign-in with the passkey taught: its credential as the
// sign-in left it (the sign count, the flags) and when it was used.
func (p Passkeys) Used(ctx context.Context, cred *webauthn.Credential, at time.Time) error {
	doc, err := json.Marshal(cred)
	if err != nil {
		return fmt.Errorf("encode passkey: %w", err)
	}
	if _, err := p.Store.Pool().Exec(ctx, `UPDATE customer_passkeys SET credential = $2, last_used_at = $3 WHERE credential_id = $1`, cred.ID, doc, at); err != nil {
		return fmt.Errorf("note a passkey's use: %w", err)
	}
	return nil
}

func scanPasskey(row pgx.CollectableRow) (Passkey, error) {
	var pk Passkey
	var doc []byte
	if err := row.Scan(&pk.ID, &pk.CustomerID, &pk.Name, &pk.CreatedAt, &pk.LastUsedAt, &doc); err != nil {
		return Passkey{}, err
	}
	if pk.LastUsedAt.Equal(time.Unix(0, 0)) {
		pk.LastUsedAt = time.Time{}
	}
	if err := json.Unmarshal(doc, &pk.Credential); err != nil {
		return Passkey{}, fmt.Errorf("decode passkey %s: %w", pk.ID, err)
	}
	return pk, nil
}
