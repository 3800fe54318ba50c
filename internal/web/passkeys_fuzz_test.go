package web

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-webauthn/webauthn/protocol"
)

// FuzzPasskeyAnswer: whatever a browser (or anyone) sends as a passkey's
// answer, reading it never panics, and what cannot be read is a 4xx.
func FuzzPasskeyAnswer(f *testing.F) {
	auth := newAuthenticator(f)
	auth.rpID, auth.userHandle = "example.com", []byte("c")
	for _, seed := range []string{
		`{"credential":` + auth.create([]byte(`{"publicKey":{"challenge":"AAAAAAAAAAAAAAAAAAAAAA","rp":{"id":"example.com"},"user":{"id":"Yw"}}}`)) + `}`,
		`{"credential":` + auth.sign("AAAAAAAAAAAAAAAAAAAAAA") + `,"next":"/account"}`,
		`{"credential":{"id":"","response":{"clientDataJSON":"e30"}}}`,
		`{"credential":[]}`, `{"credential":null}`, `[]`, `{`, "\xff",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/account/sign-in/passkey", bytes.NewReader(body))
		answer, err := readPasskeyAnswer(httptest.NewRecorder(), r)
		if err != nil {
			clientError(t, "reading an answer", err)
			return
		}
		_, _ = protocol.ParseCredentialCreationResponseBytes(answer.Credential)
		_, _ = protocol.ParseCredentialRequestResponseBytes(answer.Credential)
		if next := customerNext(answer.Next); !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, `\`) {
			t.Fatalf("next %q leads to %q, off the site", answer.Next, next)
		}
	})
}
