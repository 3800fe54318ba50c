package web

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"restaurant/static"
)

// TestTextTravelsCompressed: the menu, the stylesheet and the menu's JSON
// reach a client that accepts gzip compressed, and read the same; photos
// and clients that do not accept gzip get the bytes as they are.
func TestTextTravelsCompressed(t *testing.T) {
	a := newTestApp(t)
	g := a.guest()
	plain := g.get("/").Body.String()
	if !strings.Contains(plain, `id="item-margherita"`) {
		t.Fatal("the menu has no margherita")
	}
	for _, path := range []string{"/", static.URL("style.css"), "/menu"} {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		rec := g.do(req)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != "gzip" || !strings.Contains(strings.Join(rec.Header().Values("Vary"), ","), "Accept-Encoding") {
			t.Fatalf("%s: %d, Content-Encoding %q, Vary %q", path, rec.Code, rec.Header().Get("Content-Encoding"), rec.Header().Values("Vary"))
		}
		zr, err := gzip.NewReader(rec.Body)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		body, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if path == "/" && (!strings.Contains(string(body), `id="item-margherita"`) || len(body) < 4*rec.Body.Len()) {
			t.Fatalf("the menu unpacks to %d bytes from %d", len(body), rec.Body.Len())
		}
	}
	if rec := g.get("/"); rec.Header().Get("Content-Encoding") != "" {
		t.Fatalf("a client that does not accept gzip gets %q", rec.Header().Get("Content-Encoding"))
	}
}
