package accounts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"restaurant/domain/staff"
)

// Brakes slow guessing down without locking the rightful member out. An
// address is held back hard: past AddressLimit failed sign-ins it is refused
// for AddressPenalty, doubled with each further failure up to
// AddressPenaltyCap. An account only slows: past AccountLimit failures
// (since its last sign-in, forgotten after an hour without one) each try
// waits AccountDelay server-side, doubled with each further failure up to
// AccountDelayCap, and is then checked, so a member signing in from another
// address gets in however hard their account is guessed at. Zero values take
// the defaults: 5, 15 s, 1 h; 5, 250 ms, 4 s.
type Brakes struct {
	AddressLimit                      int
	AddressPenalty, AddressPenaltyCap time.Duration
	AccountLimit                      int
	AccountDelay, AccountDelayCap     time.Duration
}

func (b Brakes) withDefaults() Brakes {
	if b.AddressLimit <= 0 {
		b.AddressLimit = 5
	}
	if b.AddressPenalty <= 0 {
		b.AddressPenalty = 15 * time.Second
	}
	if b.AddressPenaltyCap <= 0 {
		b.AddressPenaltyCap = time.Hour
	}
	if b.AccountLimit <= 0 {
		b.AccountLimit = 5
	}
	if b.AccountDelay <= 0 {
		b.AccountDelay = 250 * time.Millisecond
	}
	if b.AccountDelayCap <= 0 {
		b.AccountDelayCap = 4 * time.Second
	}
	return b
}

// accountDelay is how long the n-th try on an account since its last
// sign-in waits before its password is checked.
func (b Brakes) accountDelay(n int) time.Duration {
	if n <= b.AccountLimit {
		return 0
	}
	return min(b.AccountDelayCap, b.AccountDelay<<min(n-b.AccountLimit-1, 20))
}

// ThrottledError refuses a sign-in from an address that failed too often.
type ThrottledError struct{ Wait time.Duration }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many failed sign-ins from this address; wait %s", e.Wait)
}

// The brakes' counters, one row per key ("addr:…", "user:…"). A try is
// reserved before its password is checked, in one statement per key and one
// transaction for both, so however many tries arrive at once, no more than
// the limit get past it; a sign-in gives its reservation back.
const (
	reserveAddress = `INSERT INTO sign_in_failures (key, failures, last_failure) VALUES ($1, 1, now())
		ON CONFLICT (key) DO UPDATE SET
			failures = CASE WHEN sign_in_failures.last_failure < now() - interval '1 day' THEN 1 ELSE sign_in_failures.failures + 1 END,
			last_failure = now()
		WHERE sign_in_failures.failures < $2
		   OR sign_in_failures.last_failure + least(make_interval(secs => $4), make_interval(secs => $3 * 2 ^ least(sign_in_failures.failures - $2, 20))) <= now()
		RETURNING failures`
	addressWait = `SELECT greatest(0, extract(epoch FROM last_failure
			+ least(make_interval(secs => $4), make_interval(secs => $3 * 2 ^ least(failures - $2, 20))) - now()))::float8
		FROM sign_in_failures WHERE key = $1`
	reserveAccount = `INSERT INTO sign_in_failures (key, failures, last_failure) VALUES ($1, 1, now())
		ON CONFLICT (key) DO UPDATE SET
			failures = CASE WHEN sign_in_failures.last_failure < now() - interval '1 hour' THEN 1 ELSE sign_in_failures.failures + 1 END,
			last_failure = now()
		RETURNING failures`
	releaseAddress = `UPDATE sign_in_failures SET failures = greatest(failures - 1, 0) WHERE key = $1`
	clearAccount   = `DELETE FROM sign_in_failures WHERE key = $1`
	recordFailure  = `INSERT INTO failed_sign_ins (username, address) VALUES ($1, $2)`
	forgetFailures = `DELETE FROM failed_sign_ins WHERE failed_at < now() - interval '1 day'`
)

// SignIn checks a sign-in from an address with the brakes on: a refused
// address gets a *ThrottledError, a wrong password or a disabled member
// ErrWrongCredentials.
func (a Accounts) SignIn(ctx context.Context, username, password, address string) (staff.State, error) {
	b := a.Brakes.withDefaults()
	addrKey, userKey := "addr:"+address, "user:"+username
	tries, err := a.reserve(ctx, b, addrKey, userKey)
	if err != nil {
		return staff.State{}, err
	}
	if d := b.accountDelay(tries); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return staff.State{}, fmt.Errorf("slowed sign-in: %w", ctx.Err())
		case <-t.C:
		}
	}
	m, err := a.Verify(ctx, username, password)
	if errors.Is(err, ErrWrongCredentials) {
		a.failed(ctx, b, username, address, tries)
		return staff.State{}, err
	}
	if err != nil {
		return staff.State{}, err
	}
	pool := a.Store.Pool()
	if _, err := pool.Exec(ctx, releaseAddress, addrKey); err != nil {
		return staff.State{}, fmt.Errorf("give back a sign-in try: %w", err)
	}
	if _, err := pool.Exec(ctx, clearAccount, userKey); err != nil {
		return staff.State{}, fmt.Errorf("clear sign-in failures: %w", err)
	}
	return m, nil
}

// reserve counts a try against the address and the account, or against
// neither if the address must wait; it returns the account's tries.
func (a Accounts) reserve(ctx context.Context, b Brakes, addrKey, userKey string) (int, error) {
	var tries int
	held := false
	err := pgx.BeginFunc(ctx, a.Store.Pool(), func(tx pgx.Tx) error {
		var n int
		err := tx.QueryRow(ctx, reserveAddress, addrKey, b.AddressLimit, b.AddressPenalty.Seconds(), b.AddressPenaltyCap.Seconds()).Scan(&n)
		if errors.Is(err, pgx.ErrNoRows) {
			held = true
			return nil
		}
		if err != nil {
			return err
		}
		return tx.QueryRow(ctx, reserveAccount, userKey).Scan(&tries)
	})
	if err != nil {
		return 0, fmt.Errorf("reserve a sign-in try: %w", err)
	}
	if !held {
		return tries, nil
	}
	var secs float64
	if err := a.Store.Pool().QueryRow(ctx, addressWait, addrKey, b.AddressLimit, b.AddressPenalty.Seconds(), b.AddressPenaltyCap.Seconds()).Scan(&secs); err != nil {
		return 0, fmt.Errorf("read a sign-in wait: %w", err)
	}
	return 0, &ThrottledError{Wait: time.Duration(math.Ceil(max(secs, 1))) * time.Second}
}

// failed records a failed sign-in for the managers' note, and says in the
// log when an account starts being slowed down, and every ten tries after.
func (a Accounts) failed(ctx context.Context, b Brakes, username, address string, tries int) {
	if !staff.ValidUsername(username) {
		return // nobody's account; the address counted it
	}
	pool := a.Store.Pool()
	if _, err := pool.Exec(ctx, recordFailure, username, address); err != nil {
		slog.ErrorContext(ctx, "record a failed sign-in", "error", err)
		return
	}
	if _, err := pool.Exec(ctx, forgetFailures); err != nil {
		slog.ErrorContext(ctx, "forget old failed sign-ins", "error", err)
	}
	if over := tries - b.AccountLimit; over == 0 || (over > 0 && over%10 == 0) {
		slog.WarnContext(ctx, "repeated failed sign-ins; tries on the account are slowed down", "username", username, "failures", tries, "address", address)
	}
}

// FailedSignIns is what managers are told of one account's failed sign-ins.
type FailedSignIns struct {
	Username  string
	Failures  int
	Addresses int
}

// RecentFailures lists the accounts with failed sign-ins in the last hour,
// the most failed first.
func (a Accounts) RecentFailures(ctx context.Context) ([]FailedSignIns, error) {
	rows, err := a.Store.Pool().Query(ctx, `SELECT username, count(*)::int AS failures, count(DISTINCT address)::int AS addresses
		FROM failed_sign_ins WHERE failed_at > now() - interval '1 hour'
		GROUP BY username ORDER BY failures DESC, username LIMIT 10`)
	if err != nil {
		return nil, fmt.Errorf("read failed sign-ins: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[FailedSignIns])
	if err != nil {
		return nil, fmt.Errorf("read failed sign-ins: %w", err)
	}
	return out, nil
}
