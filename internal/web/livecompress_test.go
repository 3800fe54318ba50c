package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

// A kitchen change is rendered once and that one rendering reaches every
// kitchen screen: screens that offer compression (as browsers do) get it
// compressed, a screen that does not gets the same bytes plain. A board
// rendered for each screen would differ from screen to screen, since every
// rendering draws new command ids for the ticket's buttons.
func TestEveryKitchenScreenGetsTheOneRenderingCompressedOrNot(t *testing.T) {
	a := withStaff(t)
	srv := httptest.NewServer(a.h)
	defer srv.Close()
	cook, g := a.guest(), a.guest()
	cook.signIn("kai", kitchenPassword)
	h := http.Header{"Origin": {srv.URL}}
	for _, c := range cook.cookies {
		h.Add("Cookie", c.Name+"="+c.Value)
	}
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/live?topic=kitchen"

	type screen struct {
		conn       *websocket.Conn
		compressed bool
	}
	var screens []screen
	for i := range 4 {
		d := websocket.Dialer{EnableCompression: i > 0}
		conn, resp, err := d.Dial(url, h)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		compressed := strings.Contains(resp.Header.Get("Sec-Websocket-Extensions"), "permessage-deflate")
		if compressed != d.EnableCompression {
			t.Fatalf("screen %d offered compression %v and got %v", i, d.EnableCompression, compressed)
		}
		await(t, conn, `id="kitchen-board"`)
		screens = append(screens, screen{conn, compressed})
	}

	id := placedOrder(t, a, g)
	var pushes []string
	for _, s := range screens {
		pushes = append(pushes, await(t, s.conn, `id="ticket-`+id+`"`))
	}
	for i, p := range pushes[1:] {
		if p != pushes[0] {
			t.Errorf("screen %d (compressed %v) was sent another rendering of the change than screen 0:\n%s\n---\n%s", i+1, screens[i+1].compressed, p, pushes[0])
		}
	}
}
