// Package postgres opens connection pools and manages whole databases, for
// the server and the test suite alike.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ConnectTimeout bounds one attempt to connect, unless the connection
// string sets connect_timeout: a database that is away fails the request
// that needed it instead of holding it.
const ConnectTimeout = 5 * time.Second

// Open connects a pool and checks that the server answers.
func Open(ctx context.Context, connString string, maxConns int32) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		return nil, fmt.Errorf("database address: %w", err)
	}
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = ConnectTimeout
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		if Unavailable(err) {
			return nil, fmt.Errorf("the database %s does not answer (is PostgreSQL running, and is the address right?): %w", cfg.ConnConfig.Database, err)
		}
		return nil, fmt.Errorf("connect to database %s: %w", cfg.ConnConfig.Database, err)
	}
	return pool, nil
}

// WithDatabase returns connString pointed at another database on the same server.
func WithDatabase(connString, database string) (string, error) {
	cfg, err := pgx.ParseConfig(connString)
	if err != nil {
		return "", fmt.Errorf("database address: %w", err)
	}
	return address(cfg, database, cfg.User, cfg.Password), nil
}

// WithUser returns connString signing in as another role, to the same
// database: the owner's address turned into the server's.
func WithUser(connString, user, password string) (string, error) {
	cfg, err := pgx.ParseConfig(connString)
	if err != nil {
		return "", fmt.Errorf("database address: %w", err)
	}
	return address(cfg, cfg.Database, user, password), nil
}

func address(cfg *pgx.ConnConfig, database, user, password string) string {
	u := fmt.Sprintf("host=%s port=%d dbname=%s user=%s", quote(cfg.Host), cfg.Port, quote(database), quote(user))
	if password != "" {
		u += " password=" + quote(password)
	}
	if cfg.TLSConfig == nil {
		u += " sslmode=disable"
	}
	return u
}

func quote(s string) string {
	out := []byte{'\''}
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' || s[i] == '\\' {
			out = append(out, '\\')
		}
		out = append(out, s[i])
	}
	return string(append(out, '\''))
}

// CreateDatabase creates a database unless it exists, optionally from a template.
func CreateDatabase(ctx context.Context, admin *pgxpool.Pool, name, template string) error {
	sql := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize()
	if template != "" {
		sql += " TEMPLATE " + pgx.Identifier{template}.Sanitize()
	}
	_, err := admin.Exec(ctx, sql)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // duplicate_database
		return nil
	}
	if err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

// DropDatabase removes a database, ending its sessions.
func DropDatabase(ctx context.Context, admin *pgxpool.Pool, name string) error {
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}
