package desk

import (
	"context"
	"errors"
	"testing"
	"time"
)

// failingAppend is a memory store whose next Append fails.
type failingAppend struct {
	Store
	fail bool
}

func (f *failingAppend) Append(ctx context.Context, conv string, e Entry) (int64, error) {
	if f.fail {
		f.fail = false
		return 0, errors.New("store down")
	}
	return f.Store.Append(ctx, conv, e)
}

// TestUserSaidAgainAfterAFailure: a message whose relay failed is relayed
// when the client sends it again with the same id, once; a message id
// seen before is not relayed again.
func TestUserSaidAgainAfterAFailure(t *testing.T) {
	ctx := context.Background()
	clk := &clock{now: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
	store := &failingAppend{Store: NewMemoryStore()}
	d, _ := newTestDesk(t, store, clk)
	if _, err := d.SetState(ctx, "ben", Available, "", OriginAgent); err != nil {
		t.Fatal(err)
	}
	tk, err := d.Request(ctx, Request{Session: "s", User: "u", Queue: "support"})
	if err != nil {
		t.Fatal(err)
	}
	store.fail = true
	if err := d.UserSaid(ctx, tk.ID, "m1", "hello"); err == nil {
		t.Fatal("the relay did not fail")
	}
	for range 2 {
		if err := d.UserSaid(ctx, tk.ID, "m1", "hello"); err != nil {
			t.Fatal(err)
		}
	}
	lines, _ := store.Transcript(ctx, tk.ID)
	if len(lines) != 1 || lines[0].Text != "hello" {
		t.Errorf("transcript %+v; want the message once", lines)
	}
}
