package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

var uuidText = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// TestStitchedPageGzipsWithFreshKeys: the compressed page decompresses to
// the plain page's text with a fresh key in each place, different on every
// response, and a client that does not take gzip gets it plain.
func TestStitchedPageGzipsWithFreshKeys(t *testing.T) {
	page := []byte(strings.Repeat("<li>Margherita, tomato and mozzarella</li>", 200))
	pieces := [][]byte{page[:3000], []byte(`"><input name="command_id" value="`), page[3000:], {}}
	s, err := newStitched(pieces)
	if err != nil {
		t.Fatal(err)
	}
	body := func(acceptEncoding string) (string, http.Header, int) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if acceptEncoding != "" {
			req.Header.Set("Accept-Encoding", acceptEncoding)
		}
		s.write(rec, req)
		raw := rec.Body.Bytes()
		if rec.Header().Get("Content-Encoding") != "gzip" {
			return string(raw), rec.Header(), len(raw)
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		plain, err := io.ReadAll(zr) // checks the CRC and the size too
		if err != nil {
			t.Fatalf("the gzip stream does not read back: %v", err)
		}
		return string(plain), rec.Header(), len(raw)
	}
	want := func(got string) {
		t.Helper()
		keys := uuidText.FindAllString(got, -1)
		if len(keys) != 3 || keys[0] == keys[1] || keys[1] == keys[2] {
			t.Fatalf("want three distinct keys, got %v", keys)
		}
		if strings.Join(uuidText.Split(got, -1), "|") != strings.Join([]string{string(pieces[0]), string(pieces[1]), string(pieces[2]), ""}, "|") {
			t.Fatal("the page around the keys is not the page")
		}
	}
	first, h, size := body("br, gzip;q=0.8, deflate")
	if h.Get("Content-Encoding") != "gzip" || !strings.Contains(h.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("headers %v", h)
	}
	if size*3 > len(first) {
		t.Fatalf("compressed to %d bytes of %d", size, len(first))
	}
	want(first)
	second, _, _ := body("gzip")
	want(second)
	if uuidText.FindString(first) == uuidText.FindString(second) {
		t.Fatal("two responses share a key")
	}
	for _, ae := range []string{"", "gzip;q=0", "identity", "deflate"} {
		plain, h, _ := body(ae)
		if h.Get("Content-Encoding") != "" {
			t.Fatalf("Accept-Encoding %q got %q", ae, h.Get("Content-Encoding"))
		}
		want(plain)
	}
}
