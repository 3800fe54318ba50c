// Package accounts signs staff in: their passwords (bcrypt hashes, outside
// the event log), who they are and in which role (their staff stream), and
// the brakes on guessing.
package accounts

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"

	"restaurant/domain"
	"restaurant/domain/staff"
	"restaurant/internal/eventstore"
)

// Accounts reads and writes staff accounts.
type Accounts struct {
	Store *eventstore.Store
	// Brakes slow guessing down; the zero value takes the defaults.
	Brakes Brakes
}

// Run decides a staff command on the member's stream; a command with no id
// is given a new one.
func (a Accounts) Run(ctx context.Context, username string, meta eventstore.Metadata, cmd staff.Command) (eventstore.Result, error) {
	if meta.CommandID == uuid.Nil {
		meta.CommandID = uuid.New()
	}
	return eventstore.Handle(ctx, a.Store, staff.Stream(username), staff.Decider, meta, cmd)
}

// Member returns a staff member as their stream tells it now.
func (a Accounts) Member(ctx context.Context, username string) (staff.State, error) {
	if !staff.ValidUsername(username) {
		return staff.State{}, nil
	}
	s, _, err := eventstore.Load(ctx, a.Store, staff.Stream(username), staff.Decider)
	return s, err
}

// Password rules: bcrypt reads at most 72 bytes.
const (
	minPassword = 10
	maxPassword = 72
)

// CheckPassword says what is wrong with a member's new password, if
// anything: too short, too long, too common, or their own username.
func CheckPassword(username, p string) error {
	if err := checkLength(p); err != nil {
		return err
	}
	// A two-letter name is in too many words to forbid.
	if len(username) >= 3 && strings.Contains(strings.ToLower(p), strings.ToLower(username)) {
		return domain.Invalid("password", "A password may not contain the username.")
	}
	return checkCommon(p)
}

// checkLength holds a password between the rules' bounds, staff's and
// customers' alike.
func checkLength(p string) error {
	if len(p) < minPassword {
		return domain.Invalid("password", "A password needs at least %d characters.", minPassword)
	}
	if len(p) > maxPassword {
		return domain.Invalid("password", "A password may have at most %d bytes.", maxPassword)
	}
	return nil
}

// checkCommon refuses the passwords guessed first.
func checkCommon(p string) error {
	if common(p) {
		return domain.Invalid("password", "This password is one of the most common ones, which are guessed first. Choose another: a few unrelated words make a good one.")
	}
	return nil
}

// Add adds a member with a password.
func (a Accounts) Add(ctx context.Context, username string, role staff.Role, password, actor string) error {
	if err := CheckPassword(username, password); err != nil {
		return err
	}
	if _, err := a.Run(ctx, username, eventstore.Metadata{CommandID: uuid.Nil, Actor: actor}, staff.AddMember{Username: username, Role: role}); err != nil {
		return err
	}
	return a.SetPassword(ctx, username, password, actor)
}

// SetPassword stores a member's new password, hashed, and records in the
// log that it changed (not what it is).
func (a Accounts) SetPassword(ctx context.Context, username, password, actor string) error {
	if err := CheckPassword(username, password); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	if _, err := a.Store.Pool().Exec(ctx, `INSERT INTO staff_credentials (username, password_hash) VALUES ($1, $2)
		ON CONFLICT (username) DO UPDATE SET password_hash = $2, updated_at = now()`, username, string(hash)); err != nil {
		return fmt.Errorf("store password: %w", err)
	}
	_, err = a.Run(ctx, username, eventstore.Metadata{CommandID: uuid.Nil, Actor: actor}, staff.RecordPasswordChange{})
	return err
}

// dummyHash is compared against when there is no such user, so that a
// wrong username takes as long as a wrong password. It is the hash of "no
// such user, no such password" at bcrypt's default cost, written out: making
// it at start-up would cost every process start a bcrypt round.
var dummyHash = []byte("$2a$10$SkMybvV0O66OEUGehc0Ut.CGk0wnTIrcOA9opYotiBPmxYVpGYciu")

// ErrWrongCredentials is a failed sign-in, whatever was wrong.
var ErrWrongCredentials = errors.New("wrong username or password")

// Verify checks a sign-in: an enabled member whose password matches.
func (a Accounts) Verify(ctx context.Context, username, password string) (staff.State, error) {
	var hash string
	err := a.Store.Pool().QueryRow(ctx, `SELECT password_hash FROM staff_credentials WHERE username = $1`, username).Scan(&hash)
	if errors.Is(err, pgx.ErrNoRows) {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return staff.State{}, ErrWrongCredentials
	}
	if err != nil {
		return staff.State{}, fmt.Errorf("read password: %w", err)
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		return staff.State{}, ErrWrongCredentials
	}
	m, err := a.Member(ctx, username)
	if err != nil {
		return staff.State{}, err
	}
	if !m.Exists || m.Disabled {
		return staff.State{}, ErrWrongCredentials
	}
	return m, nil
}

// AdminUsername is the manager every restaurant starts with.
const AdminUsername = "admin"

// EnsureAdmin makes sure the admin manager exists and can sign in. With a
// password given it creates or resets the account (and enables it); without
// one, a first start generates a password and returns it, to be shown once.
func (a Accounts) EnsureAdmin(ctx context.Context, password string) (generated string, err error) {
	m, err := a.Member(ctx, AdminUsername)
	if err != nil {
		return "", err
	}
	if !m.Exists {
		id := uuid.NewSHA1(uuid.Nil, []byte("add the admin manager"))
		if _, err := a.Run(ctx, AdminUsername, eventstore.Metadata{CommandID: id, Actor: "system:start"}, staff.AddMember{Username: AdminUsername, Role: staff.Manager}); err != nil {
			return "", err
		}
	}
	if password != "" {
		// Resetting the password is the way back in: the account must also
		// be enabled and a manager again.
		if _, err := a.Run(ctx, AdminUsername, eventstore.Metadata{CommandID: uuid.Nil, Actor: "system:start"}, staff.Enable{}); err != nil {
			return "", err
		}
		if _, err := a.Run(ctx, AdminUsername, eventstore.Metadata{CommandID: uuid.Nil, Actor: "system:start"}, staff.ChangeRole{Role: staff.Manager}); err != nil {
			return "", err
		}
		if _, err := a.Verify(ctx, AdminUsername, password); err == nil {
			return "", nil // already this password
		}
		return "", a.SetPassword(ctx, AdminUsername, password, "system:start")
	}
	var has bool
	if err := a.Store.Pool().QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM staff_credentials WHERE username = $1)`, AdminUsername).Scan(&has); err != nil {
		return "", fmt.Errorf("read admin password: %w", err)
	}
	if has {
		return "", nil
	}
	b := make([]byte, 15)
	_, _ = rand.Read(b)
	generated = base64.RawURLEncoding.EncodeToString(b)
	return generated, a.SetPassword(ctx, AdminUsername, generated, "system:start")
}
