package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"

	"restaurant/domain"
	"restaurant/internal/eventstore"
)

// Customers keeps customers' passwords, hashed outside the event log, and
// checks their sign-ins with the same brakes on guessing as staff's, on
// counters of their own.
type Customers struct {
	Store *eventstore.Store
	// Brakes slow guessing down; the zero value takes the defaults.
	Brakes Brakes
}

// CheckCustomerPassword says what is wrong with a customer's new password,
// if anything: the staff rules, with the email's name in place of the
// username.
func CheckCustomerPassword(email, p string) error {
	if err := checkLength(p); err != nil {
		return err
	}
	if name, _, _ := strings.Cut(email, "@"); len(name) >= 3 && strings.Contains(strings.ToLower(p), strings.ToLower(name)) {
		return domain.Invalid("password", "A password may not contain your email address.")
	}
	return checkCommon(p)
}

// HashPassword hashes a customer's password, so that the slow part of a
// sign-up happens before anything is written.
func HashPassword(p string) (string, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(p), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(hash), nil
}

// StoreHash keeps a customer's hashed password.
func (c Customers) StoreHash(ctx context.Context, customerID, hash string) error {
	if _, err := c.Store.Pool().Exec(ctx, `INSERT INTO customer_credentials (customer_id, password_hash) VALUES ($1, $2)
		ON CONFLICT (customer_id) DO UPDATE SET password_hash = $2, updated_at = now()`, customerID, hash); err != nil {
		return fmt.Errorf("store password: %w", err)
	}
	return nil
}

// SignIn checks a customer's sign-in from an address with the brakes on.
// customerID is who holds the email ("" when no one does: the password is
// still compared, against a dummy, so that an unknown email takes as long as
// a known one). The email's failures are counted under emailKey, its keyed
// hash (EmailKeys), so that no email is kept in clear. A refused address
// gets a *ThrottledError, a wrong email or password ErrWrongCredentials.
func (c Customers) SignIn(ctx context.Context, customerID, emailKey, password, address string) error {
	b := c.Brakes.withDefaults()
	staffAccounts := Accounts{Store: c.Store}
	addrKey, userKey := "customer-addr:"+address, "customer:"+emailKey
	tries, err := staffAccounts.reserve(ctx, b, addrKey, userKey)
	if err != nil {
		return err
	}
	if d := b.accountDelay(tries); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("slowed sign-in: %w", ctx.Err())
		case <-t.C:
		}
	}
	if err := c.verify(ctx, customerID, password); err != nil {
		return err
	}
	pool := c.Store.Pool()
	if _, err := pool.Exec(ctx, releaseAddress, addrKey); err != nil {
		return fmt.Errorf("give back a sign-in try: %w", err)
	}
	if _, err := pool.Exec(ctx, clearAccount, userKey); err != nil {
		return fmt.Errorf("clear sign-in failures: %w", err)
	}
	return nil
}

func (c Customers) verify(ctx context.Context, customerID, password string) error {
	var hash string
	err := c.Store.Pool().QueryRow(ctx, `SELECT password_hash FROM customer_credentials WHERE customer_id = $1`, customerID).Scan(&hash)
	if errors.Is(err, pgx.ErrNoRows) {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return ErrWrongCredentials
	}
	if err != nil {
		return fmt.Errorf("read password: %w", err)
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		return ErrWrongCredentials
	}
	return nil
}

// ForgetCustomer deletes, in the erasure's transaction, what the accounts
// keep of a customer outside the event log: the password, the passkeys and
// their ceremonies under way, and the failed sign-ins counted against their
// email (known by its keyed hash).
func ForgetCustomer(ctx context.Context, tx pgx.Tx, customerID, emailKey string) error {
	for what, sql := range map[string]string{
		"password":   `DELETE FROM customer_credentials WHERE customer_id = $1`,
		"passkeys":   `DELETE FROM customer_passkeys WHERE customer_id = $1`,
		"ceremonies": `DELETE FROM passkey_ceremonies WHERE customer_id = $1`,
	} {
		if _, err := tx.Exec(ctx, sql, customerID); err != nil {
			return fmt.Errorf("forget the %s of %s: %w", what, customerID, err)
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM sign_in_failures WHERE key = $1`, "customer:"+emailKey); err != nil {
		return fmt.Errorf("forget the sign-in failures of %s: %w", customerID, err)
	}
	return nil
}
