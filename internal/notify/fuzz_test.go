package notify

import (
	"bytes"
	"errors"
	"mime"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"
)

var subjectShape = regexp.MustCompile(`^Order #[0-9]+ (confirmed|is ready to collect|is on its way|was canceled)$`)

// FuzzNotice reads any body of the four types: it is refused as malformed
// or ignored, or it makes an email whose headers are exactly the service's
// (no name or reason can add one) and whose parts read back.
func FuzzNotice(f *testing.F) {
	f.Add(TypeOrderPlaced, placedBody("o-1", 41, "ana@guest.test"))
	f.Add(TypeOrderReady, `{"order_id":"o-2","number":42,"fulfilment":"pickup","contact":{"name":"Rui\r\nBcc: x@y.z","email":"rui@guest.test"}}`)
	f.Add(TypeOrderOutForDelivery, `{"order_id":"o\r\n1","number":1,"contact":{"name":"Ana","email":"ana@guest.test"}}`)
	f.Add(TypeOrderCanceled, `{"order_id":"o-3","number":43,"reason":"--=_x\r\n\r\n<b>","contact":{"name":"Éva","email":"eva@guest.test"}}`)
	f.Add(TypeOrderCanceled, `{"order_id":"o-3","number":43,"contact":{"email":"eva@guest.test\r\nBcc: a@b.c"}}`)
	f.Add(TypeOrderPlaced, `{"order_id":1}`)
	from, _ := mail.ParseAddress("Gomes Kitchen <orders@gomes.test>")
	v := view{PublicURL: "https://order.gomes.test", Location: time.UTC}
	f.Fuzz(func(t *testing.T, typ, body string) {
		n, err := v.noticeOf(Delivery{MessageID: "m-1", Type: typ, Body: []byte(body)})
		if errors.Is(err, errMalformed) || errors.Is(err, errIgnored) {
			return
		}
		if err != nil {
			t.Fatalf("noticeOf: %v", err)
		}
		if n.To.Email == "" {
			return
		}
		m, err := compose(n, from, "m-1", time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC))
		if err != nil {
			if !isPermanent(err) {
				t.Fatalf("compose: %v", err)
			}
			return
		}
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatalf("the email does not read: %v\n%s", err, m.Data)
		}
		want := []string{"Auto-Submitted", "Content-Type", "Date", "From", "Message-Id", "Mime-Version", "Subject", "To"}
		var got []string
		for k := range msg.Header {
			got = append(got, k)
		}
		if len(got) != len(want) {
			t.Fatalf("headers %v, want %v", got, want)
		}
		for _, k := range want {
			if len(msg.Header[k]) != 1 {
				t.Fatalf("header %s appears %d times", k, len(msg.Header[k]))
			}
		}
		subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if !subjectShape.MatchString(subject) {
			t.Errorf("subject %q", subject)
		}
		to, err := mail.ParseAddress(msg.Header.Get("To"))
		if err != nil || to.Address != m.To || strings.ContainsAny(m.To, "\r\n") {
			t.Errorf("To %q (%v), envelope %q", msg.Header.Get("To"), err, m.To)
		}
		parts(t, received{Data: m.Data})
	})
}
