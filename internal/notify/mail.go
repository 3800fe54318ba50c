package notify

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
)

// email is one message ready for the wire (RFC 5322, MIME multipart with a
// plain text and an HTML part).
type email struct {
	From, To  string // bare addresses, for the envelope
	MessageID string // the Message-ID header's value, angle brackets included
	Data      []byte
}

// messageIDOf derives the Message-ID header from the contract's message id:
// a message sent again carries the same header, so a mail client, or a
// person reading headers, recognises the resend.
func messageIDOf(id string, from *mail.Address) string {
	domain := "restaurant.invalid"
	if _, host, ok := strings.Cut(from.Address, "@"); ok && host != "" {
		domain = host
	}
	return "<" + safeID(id) + "@" + domain + ">"
}

// safeID keeps an id that is safe in a header and a file name as it is (a
// uuid is), and replaces any other with its digest.
func safeID(id string) string {
	ok := id != "" && len(id) <= 100
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			ok = false
			break
		}
	}
	if ok && !strings.HasPrefix(id, ".") {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return "id-" + hex.EncodeToString(sum[:16])
}

var htmlPart = template.Must(template.New("html").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family: sans-serif; line-height: 1.4; color: #222;">
<h1 style="font-size: 1.3em;">{{.Subject}}</h1>
{{range .Paragraphs}}<p>{{.}}</p>
{{end}}{{if .Lines}}<table style="border-collapse: collapse;">
{{range .Lines}}<tr><td style="padding: 2px 8px 2px 0; vertical-align: top;">{{.Quantity}} ×</td><td style="padding: 2px 0;">{{.Name}}{{if .Options}}<br><small>{{.Options}}</small>{{end}}</td></tr>
{{end}}</table>
<p><strong>Total: {{.Total}}</strong></p>
{{end}}{{if .Link}}<p><a href="{{.Link}}">See your order</a></p>
{{end}}</body></html>
`))

// textOf is the plain text part of a notice.
func textOf(n notice) string {
	var b strings.Builder
	for _, p := range n.Paragraphs {
		b.WriteString(p + "\n\n")
	}
	if len(n.Lines) > 0 {
		for _, l := range n.Lines {
			fmt.Fprintf(&b, "  %d x %s\n", l.Quantity, l.Name)
			if l.Options != "" {
				fmt.Fprintf(&b, "      %s\n", l.Options)
			}
		}
		fmt.Fprintf(&b, "\nTotal: %s\n\n", n.Total)
	}
	if n.Link != "" {
		fmt.Fprintf(&b, "See your order: %s\n\n", n.Link)
	}
	b.WriteString("-- \nThis message was sent because this address was given with the order.\n")
	return b.String()
}

// compose writes a notice as an email from the given sender, for the
// message id it answers.
func compose(n notice, from *mail.Address, messageID string, now time.Time) (email, error) {
	to, err := mail.ParseAddress(n.To.Email)
	if err != nil {
		return email{}, permanent(fmt.Errorf("the recipient's address cannot be read: %w", err))
	}
	to.Name = strings.TrimSpace(n.To.Name)
	var html bytes.Buffer
	if err := htmlPart.Execute(&html, n); err != nil {
		return email{}, fmt.Errorf("render the HTML part: %w", err)
	}
	sum := sha256.Sum256([]byte(messageID))
	// "=_" never appears in quoted-printable text, so the boundary cannot
	// occur in either part.
	boundary := "=_" + hex.EncodeToString(sum[:12])
	id := messageIDOf(messageID, from)

	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("Date", now.Format(time.RFC1123Z))
	header("From", from.String())
	header("To", to.String())
	header("Subject", mime.QEncoding.Encode("utf-8", n.Subject))
	header("Message-ID", id)
	header("MIME-Version", "1.0")
	header("Auto-Submitted", "auto-generated")
	header("Content-Type", `multipart/alternative; boundary="`+boundary+`"`)
	b.WriteString("\r\n")
	part := func(contentType, body string) error {
		fmt.Fprintf(&b, "--%s\r\nContent-Type: %s; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", boundary, contentType)
		w := quotedprintable.NewWriter(&b)
		if _, err := w.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n"))); err != nil {
			return err
		}
		if err := w.Close(); err != nil {
			return err
		}
		b.WriteString("\r\n")
		return nil
	}
	if err := part("text/plain", textOf(n)); err != nil {
		return email{}, fmt.Errorf("write the text part: %w", err)
	}
	if err := part("text/html", html.String()); err != nil {
		return email{}, fmt.Errorf("write the HTML part: %w", err)
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return email{From: from.Address, To: to.Address, MessageID: id, Data: b.Bytes()}, nil
}
