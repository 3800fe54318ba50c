package web

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"time"
)

// guestCookie identifies a guest's browser. Its value is a random secret;
// events and read models only ever hold a hash of it, so the event log
// cannot be used to take over a guest's session.
const guestCookie = "guest"

// guestID returns the guest's id, if the request carries a valid cookie.
func guestID(r *http.Request) (string, bool) {
	c, err := r.Cookie(guestCookie)
	if err != nil {
		return "", false
	}
	secret, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || len(secret) != 32 {
		return "", false
	}
	sum := sha256.Sum256(secret)
	return "guest-" + hex.EncodeToString(sum[:12]), true
}

// ensureGuest returns the guest's id, giving the browser a cookie first if
// it has none.
func ensureGuest(w http.ResponseWriter, r *http.Request) string {
	if id, ok := guestID(r); ok {
		return id
	}
	return newGuest(w, r)
}

// newGuest makes the browser a new guest, whatever cookie it had: after an
// erasure, the guest it was is gone with the account.
func newGuest(w http.ResponseWriter, r *http.Request) string {
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	value := base64.RawURLEncoding.EncodeToString(secret)
	http.SetCookie(w, &http.Cookie{
		Name: guestCookie, Value: value, Path: "/",
		MaxAge: int((365 * 24 * time.Hour).Seconds()), HttpOnly: true, Secure: isHTTPS(r),
		SameSite: http.SameSiteLaxMode,
	})
	// The request goes on as the new guest: a stale or forged cookie it
	// carried is dropped, or it would still be read first.
	kept := r.Cookies()
	r.Header.Del("Cookie")
	for _, c := range kept {
		if c.Name != guestCookie {
			r.AddCookie(c)
		}
	}
	r.AddCookie(&http.Cookie{Name: guestCookie, Value: value})
	id, _ := guestID(r)
	return id
}

// actor names a guest in the event log without giving their session away.
func guestActor(id string) string { return "customer:" + id }
