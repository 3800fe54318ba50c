package eventstore_test

import (
	"context"
	"testing"

	"restaurant/internal/eventstore"
)

// Checkpoints reads several positions at once: the one that moved, the one
// still at the start, and none for a subscriber never seen.
func TestCheckpointsReadsSeveralAtOnce(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, testCodec())
	moved := eventstore.Cursor{TxID: 42, Position: 7}
	tx, err := s.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	for _, name := range []string{"moved", "fresh"} {
		if err := eventstore.LockCheckpoint(ctx, tx, name); err != nil {
			t.Fatal(err)
		}
	}
	if err := eventstore.SetCheckpoint(ctx, tx, "moved", moved); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	at, err := s.Checkpoints(ctx, []string{"moved", "fresh", "unknown"})
	if err != nil {
		t.Fatal(err)
	}
	if at["moved"] != moved || at["fresh"] != (eventstore.Cursor{}) || at["unknown"] != (eventstore.Cursor{}) {
		t.Fatalf("checkpoints read %v", at)
	}
	for _, name := range []string{"moved", "fresh"} {
		one, err := s.Checkpoint(ctx, name)
		if err != nil || one != at[name] {
			t.Errorf("%s: one at a time %v (%v), several at once %v", name, one, err, at[name])
		}
	}
}
