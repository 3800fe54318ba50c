package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// sender hands an email on: to an SMTP server, or to the outbox folder.
type sender interface {
	send(ctx context.Context, m email, messageID string) error
	String() string
}

// permanentError is a failure that sending again will not cure: the
// recipient's server refused the address or the message (5xx), or the
// address cannot be read. The message is recorded as failed and
// acknowledged.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

func permanent(err error) error { return permanentError{err} }

func isPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// smtpSender submits through one SMTP server: smtp://user:pass@host:587
// upgrades with STARTTLS when the server offers it, smtps://host:465 speaks
// TLS from the first byte.
type smtpSender struct {
	addr, host  string
	implicitTLS bool
	user, pass  string
	tls         *tls.Config
	timeout     time.Duration
	// startTLS remembers whether the server offered STARTTLS: 0 unknown,
	// 1 yes, 2 no; it is asked once, on the first connection.
	startTLS atomic.Int32
}

func newSMTPSender(raw string) (*smtpSender, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("SMTP_URL: %w", err)
	}
	s := &smtpSender{host: u.Hostname(), timeout: time.Minute}
	port := u.Port()
	switch u.Scheme {
	case "smtp":
		if port == "" {
			port = "587"
		}
	case "smtps":
		s.implicitTLS = true
		if port == "" {
			port = "465"
		}
	default:
		return nil, fmt.Errorf("SMTP_URL: scheme %q: use smtp:// (STARTTLS when offered) or smtps:// (TLS)", u.Scheme)
	}
	if s.host == "" {
		return nil, errors.New("SMTP_URL: no host")
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
	}
	s.addr = net.JoinHostPort(s.host, port)
	s.tls = &tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12}
	return s, nil
}

func (s *smtpSender) String() string {
	if s.implicitTLS {
		return "smtps://" + s.addr
	}
	return "smtp://" + s.addr
}

// send submits one message, on a connection of its own: notifications are
// few, and a fresh connection survives a server that dropped an idle one.
// Ending ctx closes the connection, so a stuck server never holds up a
// shutdown.
func (s *smtpSender) send(ctx context.Context, m email, _ string) error {
	// The connections' lives end with this call (see dial).
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c, err := s.dial(ctx, s.startTLS.Load() == 1)
	if err != nil {
		return err
	}
	defer c.Close()
	if s.startTLS.Load() == 0 && !s.implicitTLS {
		offered, _ := c.Extension("STARTTLS")
		if offered {
			s.startTLS.Store(1)
			_ = c.Quit()
			if c, err = s.dial(ctx, true); err != nil {
				return err
			}
			defer c.Close()
		} else {
			s.startTLS.Store(2)
		}
	}
	if s.user != "" {
		_, encrypted := c.TLSConnectionState()
		if !encrypted && !loopback(s.host) {
			return fmt.Errorf("%s offers no TLS: the password is not sent in clear (use smtps://, or a server with STARTTLS)", s.addr)
		}
		if err := c.Auth(sasl.NewPlainClient("", s.user, s.pass)); err != nil {
			return fmt.Errorf("sign in to %s: %w", s.addr, err)
		}
	}
	// A refusal of the sender is the configuration's fault (NOTIFY_FROM),
	// not the message's: it is retried like an unavailable server.
	if err := c.Mail(m.From, nil); err != nil {
		return fmt.Errorf("MAIL FROM at %s: %w", s.addr, err)
	}
	if err := c.Rcpt(m.To, nil); err != nil {
		return classify(fmt.Errorf("RCPT TO at %s: %w", s.addr, err))
	}
	w, err := c.Data()
	if err != nil {
		return classify(fmt.Errorf("DATA at %s: %w", s.addr, err))
	}
	if _, err := w.Write(m.Data); err != nil {
		_ = w.Close()
		return fmt.Errorf("write the message to %s: %w", s.addr, err)
	}
	if err := w.Close(); err != nil {
		return classify(fmt.Errorf("end of data at %s: %w", s.addr, err))
	}
	_ = c.Quit()
	return nil
}

// classify makes a 5xx answer about the recipient or the message permanent.
func classify(err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) && se.Code >= 500 && se.Code < 600 {
		return permanent(err)
	}
	return err
}

func (s *smtpSender) dial(ctx context.Context, startTLS bool) (*smtp.Client, error) {
	d := net.Dialer{Timeout: 30 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", s.addr, err)
	}
	// Ending ctx closes the connection, which ends whatever waits on it;
	// send's own context ends when it returns.
	context.AfterFunc(ctx, func() { conn.Close() })
	if s.implicitTLS {
		conn = tls.Client(conn, s.tls)
	}
	var c *smtp.Client
	if startTLS && !s.implicitTLS {
		c, err = smtp.NewClientStartTLS(conn, s.tls)
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("STARTTLS with %s: %w", s.addr, err)
		}
	} else {
		c = smtp.NewClient(conn)
	}
	c.CommandTimeout = s.timeout
	c.SubmissionTimeout = 2 * s.timeout
	return c, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// outboxSender writes each message as a file in a folder, for a restaurant
// without an SMTP server (and for a developer reading what would be sent):
// DATA_DIR/outbox/<message id>.eml, written whole or not at all.
type outboxSender struct{ dir string }

func (o outboxSender) String() string { return "outbox " + o.dir }

func (o outboxSender) send(_ context.Context, m email, messageID string) error {
	if err := os.MkdirAll(o.dir, 0o750); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	tmp, err := os.CreateTemp(o.dir, ".writing-*.eml")
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	defer os.Remove(tmp.Name()) // gone already once renamed
	if _, err := tmp.Write(m.Data); err != nil {
		tmp.Close()
		return fmt.Errorf("outbox: write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("outbox: sync %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("outbox: close %s: %w", tmp.Name(), err)
	}
	final := filepath.Join(o.dir, safeID(messageID)+".eml")
	if err := os.Rename(tmp.Name(), final); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	if d, err := os.Open(o.dir); err == nil {
		_ = d.Sync() // the rename itself survives a power cut
		d.Close()
	}
	return nil
}

var addressLike = regexp.MustCompile(`<?[^\s<>@]+@[^\s<>@]+>?`)

// redact keeps a failure's reason fit for the inbox: no address in it (a
// server often quotes the recipient it refused), on one line, bounded.
func redact(reason, address string) string {
	if address != "" {
		reason = strings.ReplaceAll(reason, address, "<recipient>")
	}
	reason = addressLike.ReplaceAllString(reason, "<address>")
	reason = strings.Join(strings.Fields(reason), " ")
	if len(reason) > maxReasonLength {
		reason = strings.ToValidUTF8(reason[:maxReasonLength], "")
	}
	return reason
}
