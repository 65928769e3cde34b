package rediskeys

import (
	"context"
	"testing"
	"time"

	"github.com/botforge/dialogd/sessions/redistest"
)

// TestLock: one holder at a time; only the holder renews or releases; a
// lock its holder stopped renewing runs out.
func TestLock(t *testing.T) {
	redistest.SkipShort(t)
	c := redistest.Start(t).Client(t)
	ctx := context.Background()
	a, b := NewLock(c, "k:lock"), NewLock(c, "k:lock")
	steps := []struct {
		name string
		do   func() (bool, error)
		want bool
	}{
		{"a takes it", func() (bool, error) { return a.Hold(ctx, time.Minute) }, true},
		{"b cannot", func() (bool, error) { return b.Hold(ctx, time.Minute) }, false},
		{"a renews", func() (bool, error) { return a.Hold(ctx, 50*time.Millisecond) }, true},
		{"b's release does nothing", func() (bool, error) { return true, b.Release(ctx) }, true},
		{"b still cannot", func() (bool, error) { return b.Hold(ctx, time.Minute) }, false},
		{"after a's expiry b takes it", func() (bool, error) { time.Sleep(100 * time.Millisecond); return b.Hold(ctx, time.Minute) }, true},
		{"a released nothing of b's", func() (bool, error) { _ = a.Release(ctx); return a.Hold(ctx, time.Minute) }, false},
	}
	for _, s := range steps {
		got, err := s.do()
		if err != nil || got != s.want {
			t.Fatalf("%s: got %v, %v; want %v", s.name, got, err, s.want)
		}
	}
	var v struct{ N int }
	if found, err := GetJSON(ctx, c, "k:json", &v); found || err != nil {
		t.Fatalf("GetJSON of nothing: %v, %v; want not found", found, err)
	}
	if err := SetJSON(ctx, c, "k:json", struct{ N int }{7}, 0); err != nil {
		t.Fatal(err)
	}
	if found, err := GetJSON(ctx, c, "k:json", &v); !found || err != nil || v.N != 7 {
		t.Fatalf("GetJSON: %v, %v, %+v; want 7", found, err, v)
	}
}
