package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestUnavailableTellsAnOutageFromAFault(t *testing.T) {
	// A real failed connection: a socket directory with no server in it.
	_, dialErr := pgconn.Connect(context.Background(), "host="+filepath.Join(t.TempDir(), "nothing")+" dbname=x user=x sslmode=disable")
	if dialErr == nil {
		t.Fatal("connected to a server that does not exist")
	}
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"no server to connect to", fmt.Errorf("append: %w", dialErr), true},
		{"server shutting down", &pgconn.PgError{Code: "57P01"}, true},
		{"server crashed", &pgconn.PgError{Code: "57P02"}, true},
		{"server starting up", fmt.Errorf("read: %w", &pgconn.PgError{Code: "57P03"}), true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"too many connections", &pgconn.PgError{Code: "53300"}, true},
		{"connection dropped mid-reply", fmt.Errorf("query: %w", io.ErrUnexpectedEOF), true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"syntax error", fmt.Errorf("query: %w", &pgconn.PgError{Code: "42601"}), false},
		{"undefined table", &pgconn.PgError{Code: "42P01"}, false},
		{"wrong password", &pgconn.PgError{Code: "28P01"}, false},
		{"a bug of our own", errors.New("nil map"), false},
		{"nothing", nil, false},
	}
	for _, c := range cases {
		if got := Unavailable(c.err); got != c.want {
			t.Errorf("%s (%v): Unavailable = %v, want %v", c.name, c.err, got, c.want)
		}
	}
}
