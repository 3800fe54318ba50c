package web

import (
	"testing"
	"time"

	"restaurant/internal/testdb"
)

// TestEndedSessionIsNeverWrittenBack: a request still in flight when its
// member signs out saves the session as it ends; the store refuses, so the
// sign-out holds. Other sessions save as ever.
func TestEndedSessionIsNeverWrittenBack(t *testing.T) {
	sessions, closeSessions := NewSessions(testdb.New(t))
	defer closeSessions()
	store := sessions.Store
	expiry := time.Now().Add(time.Hour)
	found := func(token string) bool {
		t.Helper()
		_, ok, err := store.Find(token)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if err := store.Commit("signed-in", []byte("staff: noor"), expiry); err != nil || !found("signed-in") {
		t.Fatalf("a new session was not saved: %v", err)
	}
	if err := store.Delete("signed-in"); err != nil || found("signed-in") {
		t.Fatalf("sign-out left the session: %v", err)
	}
	// The late save of a request that loaded the session before sign-out.
	if err := store.Commit("signed-in", []byte("staff: noor"), expiry); err != nil {
		t.Fatal(err)
	}
	if found("signed-in") {
		t.Fatal("a session signed out of was written back")
	}
	if err := store.Commit("another", []byte("staff: kai"), expiry); err != nil || !found("another") {
		t.Fatalf("another session was not saved: %v", err)
	}
}
