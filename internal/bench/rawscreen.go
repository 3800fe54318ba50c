package bench

import (
	"bufio"
	"bytes"
	"compress/flate"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// A rawScreen is a kitchen screen's socket read frame by frame, as a
// browser reads it, offering permessage-deflate as browsers do. The server
// sends every screen of the kitchen the same frames for a change, so the
// benchmark inflates and reads each distinct message once (pushCache)
// rather than once a screen: a thousand screens on the same two cores as
// the server then cost what reading their sockets costs, and a compressed
// push is timed when its last byte arrived, as a browser would see it.
type rawScreen struct {
	conn net.Conn
	br   *bufio.Reader
	wmu  sync.Mutex // pongs and the close
}

// dialRaw opens a screen's socket: the upgrade by hand, then frames.
func dialRaw(ctx context.Context, wsURL string, header http.Header) (*rawScreen, error) {
	u, err := url.Parse(wsURL)
	if err != nil {
		return nil, err
	}
	d := net.Dialer{Timeout: 30 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", u.Host)
	if err != nil {
		return nil, err
	}
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	key := make([]byte, 16)
	_, _ = rand.Read(key)
	var req bytes.Buffer
	fmt.Fprintf(&req, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n", u.RequestURI(), u.Host)
	fmt.Fprintf(&req, "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n", base64.StdEncoding.EncodeToString(key))
	req.WriteString("Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover; server_no_context_takeover\r\n")
	for name, values := range header {
		for _, v := range values {
			fmt.Fprintf(&req, "%s: %s\r\n", name, v)
		}
	}
	req.WriteString("\r\n")
	if _, err := conn.Write(req.Bytes()); err != nil {
		conn.Close()
		return nil, err
	}
	br := bufio.NewReaderSize(conn, 4096)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodGet})
	if err != nil {
		conn.Close()
		return nil, err
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		conn.Close()
		return nil, fmt.Errorf("upgrade answered %s", resp.Status)
	}
	_ = conn.SetDeadline(time.Time{})
	return &rawScreen{conn: conn, br: br}, nil
}

// errClosed is the server's close frame.
var errClosed = errors.New("the server closed the socket")

// next reads the next whole data message into buf (reset first), answering
// pings on the way, and says whether it came compressed.
func (s *rawScreen) next(buf *bytes.Buffer) (compressed bool, err error) {
	buf.Reset()
	first := true
	for {
		var head [2]byte
		if _, err := io.ReadFull(s.br, head[:]); err != nil {
			return false, err
		}
		fin, rsv1, op := head[0]&0x80 != 0, head[0]&0x40 != 0, head[0]&0x0f
		n := uint64(head[1] & 0x7f)
		switch n {
		case 126:
			var ext [2]byte
			if _, err := io.ReadFull(s.br, ext[:]); err != nil {
				return false, err
			}
			n = uint64(binary.BigEndian.Uint16(ext[:]))
		case 127:
			var ext [8]byte
			if _, err := io.ReadFull(s.br, ext[:]); err != nil {
				return false, err
			}
			n = binary.BigEndian.Uint64(ext[:])
		}
		if op >= 8 { // a control frame: ping, pong or close
			var payload [125]byte
			if n > uint64(len(payload)) {
				return false, fmt.Errorf("a control frame of %d bytes", n)
			}
			if _, err := io.ReadFull(s.br, payload[:n]); err != nil {
				return false, err
			}
			switch op {
			case 9:
				if err := s.send(0xA, payload[:n]); err != nil {
					return false, err
				}
			case 8:
				_ = s.send(0x8, payload[:min(n, 2)])
				return false, errClosed
			}
			continue
		}
		if first {
			compressed, first = rsv1, false
		}
		if _, err := io.CopyN(buf, s.br, int64(n)); err != nil {
			return false, err
		}
		if fin {
			return compressed, nil
		}
	}
}

// send writes a masked control frame, as a client must.
func (s *rawScreen) send(op byte, payload []byte) error {
	frame := make([]byte, 0, 6+len(payload))
	frame = append(frame, 0x80|op, 0x80|byte(len(payload)))
	var mask [4]byte
	_, _ = rand.Read(mask[:])
	frame = append(frame, mask[:]...)
	for i, b := range payload {
		frame = append(frame, b^mask[i%4])
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	_ = s.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	_, err := s.conn.Write(frame)
	return err
}

// Close ends the socket with a close frame.
func (s *rawScreen) Close() error {
	_ = s.send(0x8, []byte{0x03, 0xe8}) // 1000, normal closure
	return s.conn.Close()
}

// pushCache remembers what the distinct messages screens were sent say:
// the tickets they show and their size once inflated.
type pushCache struct {
	mu   sync.Mutex
	seed maphash.Seed
	seen map[uint64]*cachedPush
}

type cachedPush struct {
	raw        []byte
	compressed bool
	ids        []string
	size       int
}

func newPushCache() *pushCache {
	return &pushCache{seed: maphash.MakeSeed(), seen: map[uint64]*cachedPush{}}
}

// read returns the tickets a message shows and its inflated size, reading
// it only if no screen was sent the same bytes before.
func (c *pushCache) read(raw []byte, compressed bool) ([]string, int, error) {
	h := maphash.Bytes(c.seed, raw)
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.seen[h]; ok && p.compressed == compressed && bytes.Equal(p.raw, raw) {
		return p.ids, p.size, nil
	}
	html := raw
	if compressed {
		var err error
		if html, err = inflate(raw); err != nil {
			return nil, 0, err
		}
	}
	if len(c.seen) >= 64 {
		clear(c.seen)
	}
	p := &cachedPush{raw: bytes.Clone(raw), compressed: compressed, ids: ticketIDs(html), size: len(html)}
	c.seen[h] = p
	return p.ids, p.size, nil
}

// inflate undoes permessage-deflate (RFC 7692): the message is a deflate
// stream missing its last empty block.
func inflate(raw []byte) ([]byte, error) {
	r := flate.NewReader(io.MultiReader(bytes.NewReader(raw), strings.NewReader("\x00\x00\xff\xff\x01\x00\x00\xff\xff")))
	defer r.Close()
	out, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("inflate a push: %w", err)
	}
	return out, nil
}
