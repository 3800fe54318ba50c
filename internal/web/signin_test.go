package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// signInFrom signs in from an address of the test's choosing.
func (g *guest) signInFrom(address, username, password string) *httptest.ResponseRecorder {
	f := url.Values{"username": {username}, "password": {password}, "next": {"/staff"}}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = address + ":40000"
	return g.do(req)
}

// TestParallelGuessesStopAtTheLimit: a burst of wrong passwords for one
// account gets no more password checks than the limit; every other try is
// refused before its password is checked (each 401 is one bcrypt check).
func TestParallelGuessesStopAtTheLimit(t *testing.T) {
	a := withStaff(t)
	const tries, limit = 100, 5
	codes := make(chan int, tries)
	var wg sync.WaitGroup
	for range tries {
		wg.Go(func() { codes <- a.guest().signIn("maria", "not the password at all").Code })
	}
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	if count[http.StatusUnauthorized] > limit || count[http.StatusUnauthorized]+count[http.StatusTooManyRequests] != tries {
		t.Fatalf("%d parallel wrong passwords: %d checked (401), %d refused (429), others %v; want at most %d checked",
			tries, count[http.StatusUnauthorized], count[http.StatusTooManyRequests], count, limit)
	}
}

// TestAGuessingAddressCannotLockTheMemberOut: an address that fails thirty
// times is held back (429 and Retry-After, even with the right password),
// while the member signs in from their own address, and managers are told.
func TestAGuessingAddressCannotLockTheMemberOut(t *testing.T) {
	a := withStaff(t)
	const attacker, member = "198.51.100.7", "203.0.113.5"
	var checked, refused int
	for range 30 {
		switch rec := a.guest().signInFrom(attacker, "maria", "a wrong guess"); rec.Code {
		case http.StatusUnauthorized:
			checked++
		case http.StatusTooManyRequests:
			refused++
			if rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), "Too many failed sign-ins") {
				t.Fatalf("a refusal without Retry-After or message: %v %s", rec.Header(), rec.Body)
			}
		default:
			t.Fatalf("a wrong guess answered %d", rec.Code)
		}
	}
	if checked > 5 || refused != 30-checked {
		t.Fatalf("the attacker's 30 tries: %d checked, %d refused", checked, refused)
	}
	if rec := a.guest().signInFrom(attacker, "maria", managerPassword); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("the attacker's address with the right password: %d, want 429", rec.Code)
	}
	m := a.guest()
	if rec := m.signInFrom(member, "maria", managerPassword); rec.Code != http.StatusSeeOther {
		t.Fatalf("the member, from their own address, was kept out: %d", rec.Code)
	}
	page := m.get("/staff/team")
	if want := "5 failed sign-ins for maria in the last hour from 1 address"; !strings.Contains(page.Body.String(), want) {
		t.Fatalf("the team page does not say %q", want)
	}
}
