package accounts

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// emailKeyName is the server secret that keys the hash naming an email
// address's reservation stream (see customers.EmailStream).
const emailKeyName = "email-key"

// EmailKeys names email addresses' reservation streams by a keyed hash, so
// that no stream name gives an address away.
type EmailKeys struct{ secret *serverSecret }

// NewEmailKeys reads its secret from the database, once, when first asked.
func NewEmailKeys(pool *pgxpool.Pool) *EmailKeys {
	return &EmailKeys{secret: &serverSecret{pool: pool, name: emailKeyName}}
}

// serverSecret is a secret generated once, kept in server_secrets so that it
// survives restarts and is the same for every process, and read once.
type serverSecret struct {
	pool *pgxpool.Pool
	name string
	mu   sync.Mutex
	key  []byte
}

// get reads the secret, generating it first if no process has.
func (s *serverSecret) get(ctx context.Context) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key != nil {
		return s.key, nil
	}
	fresh := make([]byte, 32)
	_, _ = rand.Read(fresh)
	var key []byte
	err := s.pool.QueryRow(ctx, `WITH made AS (
			INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING value)
		SELECT value FROM made UNION ALL SELECT value FROM server_secrets WHERE name = $1 LIMIT 1`, s.name, fresh).Scan(&key)
	if errors.Is(err, pgx.ErrNoRows) {
		// Another process made it at the same moment, after this
		// statement's snapshot: it is there now.
		err = s.pool.QueryRow(ctx, `SELECT value FROM server_secrets WHERE name = $1`, s.name).Scan(&key)
	}
	if err != nil {
		return nil, fmt.Errorf("read the server secret %s: %w", s.name, err)
	}
	s.key = key
	return key, nil
}

// Key is the keyed hash (HMAC-SHA256) of a normalised email address that
// names its reservation stream.
func (k *EmailKeys) Key(ctx context.Context, email string) (string, error) {
	key, err := k.secret.get(ctx)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(email))
	return hex.EncodeToString(m.Sum(nil)), nil
}
