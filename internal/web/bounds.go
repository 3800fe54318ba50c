package web

import (
	"io"
	"net/http"
	"time"

	"restaurant/internal/live"
)

// Defaults for how long a client may take to send a body and to take its
// answer; see Deps.
const (
	// defaultBodyTimeout matches requestDeadline, which runs from the same
	// moment: a body arriving later would leave no time to handle it.
	defaultBodyTimeout = requestDeadline
	// defaultWriteTimeout leaves an answer 15 s to be written after the
	// longest a handler may work.
	defaultWriteTimeout = 2 * requestDeadline
)

// boundIO bounds how long a request's body may take to arrive and its
// answer to be written, from the moment its headers are read, so that a
// client trickling a body, or never reading the answer, holds its
// connection for a bounded time instead of forever. The read bound ends
// with the body: a connection's reads after it only watch for the client
// hanging up, and a deadline there would cancel the request's work. The
// live screens' websockets have neither bound: they last as long as the
// screen is open, and set their own deadlines per write and per ping.
func boundIO(read, write time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if r.URL.Path == live.Path {
			// A connection kept alive from an earlier request may still
			// have that request's write deadline.
			_ = rc.SetWriteDeadline(time.Time{})
			next.ServeHTTP(w, r)
			return
		}
		now := time.Now()
		_ = rc.SetWriteDeadline(now.Add(write))
		if r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 {
			_ = rc.SetReadDeadline(now.Add(read))
			r.Body = &boundBody{ReadCloser: r.Body, whole: func() { _ = rc.SetReadDeadline(time.Time{}) }}
		}
		next.ServeHTTP(w, r)
	})
}

// boundBody lifts the read deadline once the whole body has arrived; a
// body left unread keeps it while the server reads past the rest.
type boundBody struct {
	io.ReadCloser
	whole func()
}

func (b *boundBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && b.whole != nil {
		b.whole()
		b.whole = nil
	}
	return n, err
}
