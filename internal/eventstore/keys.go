package eventstore

import (
	"cmp"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// The keys that seal personal data live in personal_keys, outside the event
// log, one per person. A person's row with no key is a tombstone: they were
// erased, and no key is made for them again, so nothing personal of theirs
// can be written after the erasure either.
//
// Keys are kept in memory for a while, so that reading the log costs no
// query per event. Erasing drops them from this process at once; another
// process drops them when it reads the erasure event (every process reads
// the log for its projections), and at the latest after keyLifetime.
const (
	keyLifetime = time.Minute
	maxKeys     = 100_000
)

type keyring struct {
	mu   sync.Mutex
	keys map[string]cachedKey
	// lifetime is how long a key stays in memory; zero means keyLifetime.
	lifetime time.Duration
}

type cachedKey struct {
	aead  cipher.AEAD // nil: the person was erased
	until time.Time   // zero for an erasure, which never expires
}

func (k *keyring) cached(subject string) (cachedKey, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	c, ok := k.keys[subject]
	if ok && !c.until.IsZero() && time.Now().After(c.until) {
		delete(k.keys, subject)
		return cachedKey{}, false
	}
	return c, ok
}

func (k *keyring) keep(subject string, key []byte) (cachedKey, error) {
	c := cachedKey{}
	if key != nil {
		block, err := aes.NewCipher(key)
		if err != nil {
			return c, fmt.Errorf("key of %s: %w", subject, err)
		}
		if c.aead, err = cipher.NewGCM(block); err != nil {
			return c, fmt.Errorf("key of %s: %w", subject, err)
		}
		k.mu.Lock()
		lifetime := cmp.Or(k.lifetime, keyLifetime)
		k.mu.Unlock()
		c.until = time.Now().Add(lifetime)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.keys == nil || len(k.keys) >= maxKeys {
		k.keys = map[string]cachedKey{}
	}
	k.keys[subject] = c
	return c, nil
}

func (k *keyring) forget(subjects []string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, s := range subjects {
		delete(k.keys, s)
	}
}

const makeKeySQL = `
WITH made AS (
    INSERT INTO personal_keys (subject, key) VALUES ($1, $2)
    ON CONFLICT (subject) DO NOTHING
    RETURNING key)
SELECT key FROM made
UNION ALL
SELECT key FROM personal_keys WHERE subject = $1
LIMIT 1`

// sealer is the key that seals a person's data, made on their first
// personal event; ErrErased when they were erased.
func (s *Store) sealer(ctx context.Context, subject string) (cipher.AEAD, error) {
	if c, ok := s.keys.cached(subject); ok {
		if c.aead == nil {
			return nil, fmt.Errorf("seal personal data of %s: %w", subject, ErrErased)
		}
		return c.aead, nil
	}
	fresh := make([]byte, 32)
	_, _ = rand.Read(fresh) // crypto/rand never fails
	var key []byte
	if err := s.pool.QueryRow(ctx, makeKeySQL, subject, fresh).Scan(&key); err != nil {
		return nil, fmt.Errorf("key of %s: %w", subject, err)
	}
	c, err := s.keys.keep(subject, key)
	if err != nil {
		return nil, err
	}
	if c.aead == nil {
		return nil, fmt.Errorf("seal personal data of %s: %w", subject, ErrErased)
	}
	return c.aead, nil
}

// keysFor are the keys of these people, from memory or, for those not there,
// from one query (and kept in memory then); an erased or unknown person has
// a nil key. The batch reads with this one answer, so a key that expires
// from memory meanwhile is not taken for an erasure.
func (s *Store) keysFor(ctx context.Context, subjects []string) (map[string]cipher.AEAD, error) {
	keys := make(map[string]cipher.AEAD, len(subjects))
	var missing []string
	for _, subject := range subjects {
		if _, done := keys[subject]; done || slices.Contains(missing, subject) {
			continue
		}
		if c, ok := s.keys.cached(subject); ok {
			keys[subject] = c.aead
		} else {
			missing = append(missing, subject)
		}
	}
	if len(missing) == 0 {
		return keys, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT subject, key FROM personal_keys WHERE subject = ANY($1)`, missing)
	if err != nil {
		return nil, fmt.Errorf("read personal keys: %w", err)
	}
	found := map[string][]byte{}
	var subject string
	var key []byte
	if _, err := pgx.ForEachRow(rows, []any{&subject, &key}, func() error {
		found[subject] = key
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read personal keys: %w", err)
	}
	for _, subject := range missing {
		c, err := s.keys.keep(subject, found[subject])
		if err != nil {
			return nil, err
		}
		keys[subject] = c.aead
	}
	return keys, nil
}

// Erase deletes the keys of these people in tx (the caller's transaction,
// so that the erasure commits with the events that record it), leaving
// tombstones. Their personal data in the log reads as "" once it commits,
// and no new personal event of theirs can be written. Call Forget after
// the commit.
func (s *Store) Erase(ctx context.Context, tx pgx.Tx, subjects []string) error {
	if len(subjects) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `INSERT INTO personal_keys (subject, key, erased_at)
		SELECT unnest($1::text[]), NULL, now()
		ON CONFLICT (subject) DO UPDATE SET key = NULL, erased_at = coalesce(personal_keys.erased_at, excluded.erased_at)`,
		subjects); err != nil {
		return fmt.Errorf("erase personal keys: %w", err)
	}
	return nil
}

// Forget drops these people's keys from memory, and every folded stream,
// which may hold their data opened: after an erasure commits, nothing in
// this process can read them any more.
func (s *Store) Forget(subjects []string) {
	s.keys.forget(subjects)
	s.aggregates.clear()
}

// Erased says whether a person's key was deleted.
func (s *Store) Erased(ctx context.Context, subject string) (bool, error) {
	if c, ok := s.keys.cached(subject); ok {
		return c.aead == nil, nil
	}
	var erased bool
	err := s.pool.QueryRow(ctx, `SELECT key IS NULL FROM personal_keys WHERE subject = $1`, subject).Scan(&erased)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read personal key of %s: %w", subject, err)
	}
	return erased, nil
}
