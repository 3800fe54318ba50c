package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/jackc/pgx/v5"
)

// Purpose is what a WebAuthn ceremony is for, so that the challenge of one
// can never answer another.
type Purpose string

// The purposes of a ceremony: a signed-in customer adding a passkey, and
// someone signing in with one.
const (
	PurposeAdd    Purpose = "add"
	PurposeSignIn Purpose = "sign-in"
)

// ErrNoCeremony is an answer to a ceremony that is not under way: never
// begun in this browser, answered already, or expired.
var ErrNoCeremony = errors.New("no such passkey ceremony under way")

// Ceremony is a WebAuthn ceremony under way: the challenge the browser was
// sent, and who asked for what.
type Ceremony struct {
	Purpose    Purpose
	CustomerID string // who adds a passkey; "" for a sign-in
	Name       string // the name asked for the passkey being added
	Session    webauthn.SessionData
}

// Begin keeps a ceremony server-side for ttl and returns the secret that
// binds it to the browser (for an HttpOnly cookie); only the secret's hash
// is stored. It replaces the browser's ceremony under way, whose secret is
// replaces ("" for none): a browser has one at a time. Ceremonies that
// expired are let go on the way.
func (p Passkeys) Begin(ctx context.Context, c Ceremony, ttl time.Duration, replaces string) (string, error) {
	doc, err := json.Marshal(c.Session)
	if err != nil {
		return "", fmt.Errorf("encode passkey ceremony: %w", err)
	}
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	secret := base64.RawURLEncoding.EncodeToString(raw)
	b := &pgx.Batch{}
	b.Queue(`DELETE FROM passkey_ceremonies WHERE expires_at < now() OR ceremony_hash = $1`, ceremonyHash(replaces))
	b.Queue(`INSERT INTO passkey_ceremonies (ceremony_hash, purpose, customer_id, name, session, expires_at)
		VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))`,
		ceremonyHash(secret), string(c.Purpose), c.CustomerID, c.Name, doc, ttl.Seconds())
	if err := p.Store.Pool().SendBatch(ctx, b).Close(); err != nil {
		return "", fmt.Errorf("keep passkey ceremony: %w", err)
	}
	return secret, nil
}

// Take ends the ceremony the secret binds, if it is under way for purpose,
// and returns it: each ceremony is answered once, right or wrong, and a
// ceremony of another purpose, or expired, is ErrNoCeremony.
func (p Passkeys) Take(ctx context.Context, secret string, purpose Purpose) (Ceremony, error) {
	c := Ceremony{Purpose: purpose}
	var doc []byte
	var live bool
	err := p.Store.Pool().QueryRow(ctx, `DELETE FROM passkey_ceremonies WHERE ceremony_hash = $1 AND purpose = $2
		RETURNING customer_id, name, session, expires_at > now()`, ceremonyHash(secret), string(purpose)).Scan(&c.CustomerID, &c.Name, &doc, &live)
	switch {
	case errors.Is(err, pgx.ErrNoRows) || err == nil && !live:
		return Ceremony{}, ErrNoCeremony
	case err != nil:
		return Ceremony{}, fmt.Errorf("take passkey ceremony: %w", err)
	}
	if err := json.Unmarshal(doc, &c.Session); err != nil {
		return Ceremony{}, fmt.Errorf("decode passkey ceremony: %w", err)
	}
	return c, nil
}

func ceremonyHash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
