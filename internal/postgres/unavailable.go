package postgres

import (
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// Unavailable says whether err means the database could not be reached or
// went away (it is down, restarting, or the connection to it broke), rather
// than that it refused or failed a statement. Such errors pass: the same
// request succeeds again once the database is back, so the server answers
// 503 and its background work pauses and tries again.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// The server answered, and said why: only these codes mean it is
		// going away, not ready yet, or cannot take the connection.
		switch {
		case strings.HasPrefix(pgErr.Code, "08"): // connection exception
			return true
		case pgErr.Code == "57P01", // admin_shutdown
			pgErr.Code == "57P02", // crash_shutdown
			pgErr.Code == "57P03", // cannot_connect_now: starting up or shutting down
			pgErr.Code == "53300": // too_many_connections
			return true
		}
		return false
	}
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	// A statement that never reached the server, on a connection found
	// closed, is safe to send again.
	if pgconn.SafeToRetry(err) {
		return true
	}
	// A connection the server dropped mid-conversation ends in EOF.
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, driver.ErrBadConn) {
		return true
	}
	return false
}
