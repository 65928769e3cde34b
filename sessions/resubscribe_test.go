package sessions

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/botforge/dialogd/sessions/redistest"
)

func TestRetryDelay(t *testing.T) {
	tests := []struct {
		attempt  int
		jitter   float64
		min, max time.Duration
	}{
		{0, 0, RetryMin / 2, RetryMin / 2},
		{0, 0.999, RetryMin / 2, RetryMin},
		{1, 0, RetryMin, RetryMin},
		{3, 0.5, 6 * RetryMin, 6 * RetryMin},
		{7, 0.999, RetryMax / 2, RetryMax},
		{20, 0, RetryMax / 2, RetryMax / 2},
		{1000, 0.999, RetryMax / 2, RetryMax},
	}
	for _, tt := range tests {
		got := retryDelay(tt.attempt, tt.jitter)
		if got < tt.min || got > tt.max {
			t.Errorf("retryDelay(%d, %v) = %v, want within [%v, %v]", tt.attempt, tt.jitter, got, tt.min, tt.max)
		}
	}
}

// syncBuffer is a log destination shared by goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// records returns the logged records whose msg starts with prefix.
func (b *syncBuffer) records(t *testing.T, prefix string) []map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			continue
		}
		if msg, _ := rec["msg"].(string); strings.HasPrefix(msg, prefix) {
			out = append(out, rec)
		}
	}
	return out
}

// TestKeepSubscribedAcrossRedisRestart: a lost subscription is logged
// once, retried with backoff while Redis is down, and logged once more
// with its downtime when it is back; delivery then works again.
func TestKeepSubscribedAcrossRedisRestart(t *testing.T) {
	srv := redistest.Start(t)
	open := func() *Redis {
		c := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1, DialTimeout: time.Second})
		return NewRedis(c, Options{})
	}
	sub, pub := open(), open()
	t.Cleanup(func() { sub.Close(); pub.Close() })
	var logs syncBuffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan string, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		KeepSubscribed(ctx, sub, func(s string, _ [][]byte) { got <- s }, log)
	}()
	t.Cleanup(func() { cancel(); <-done })

	waitDelivered(t, pub, got, "before")
	srv.Stop()
	waitFor(t, "the loss to be logged", func() bool { return len(logs.records(t, "delivery subscription lost")) > 0 })
	waitFor(t, "two retries while down", func() bool { return len(logs.records(t, "delivery subscription retry")) >= 2 })
	srv.Restart()
	waitFor(t, "the recovery to be logged", func() bool { return len(logs.records(t, "delivery subscription restored")) > 0 })
	waitDelivered(t, pub, got, "after")

	if n := len(logs.records(t, "delivery subscription lost")); n != 1 {
		t.Errorf("loss logged %d times, want once", n)
	}
	restored := logs.records(t, "delivery subscription restored")
	if len(restored) != 1 {
		t.Fatalf("recovery logged %d times, want once", len(restored))
	}
	if down, ok := restored[0]["down_ms"].(float64); !ok || down <= 0 {
		t.Errorf("recovery record %v: want a positive down_ms", restored[0])
	}
	for _, rec := range logs.records(t, "delivery subscription retry") {
		if rec["level"] != "DEBUG" {
			t.Errorf("retry logged at %v, want DEBUG", rec["level"])
		}
	}
}

// waitDelivered publishes until the subscriber receives a message.
func waitDelivered(t *testing.T, pub *Redis, got <-chan string, tag string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for i := 0; time.Now().Before(deadline); i++ {
		want := fmt.Sprintf("%s-%d", tag, i)
		_ = pub.Publish(context.Background(), want, [][]byte{[]byte("{}")})
		select {
		case s := <-got:
			if strings.HasPrefix(s, tag+"-") {
				return
			}
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatalf("%s: nothing delivered", tag)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// droppingBus accepts every subscription and loses it at once, as a proxy
// or a full Redis (maxclients) might.
type droppingBus struct {
	mu    sync.Mutex
	tries int
}

func (b *droppingBus) Publish(context.Context, string, [][]byte) error { return nil }

func (b *droppingBus) Subscribe(context.Context, func(string, [][]byte)) error {
	b.mu.Lock()
	b.tries++
	b.mu.Unlock()
	return fmt.Errorf("connection reset")
}

// TestKeepSubscribedFlapping: a subscription that drops as soon as it is
// made keeps backing off; it used to start the backoff afresh each time,
// retrying (and logging lost/restored) every 125–250 ms forever.
func TestKeepSubscribedFlapping(t *testing.T) {
	b := &droppingBus{}
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	KeepSubscribed(ctx, b, func(string, [][]byte) {}, slog.New(slog.DiscardHandler))
	b.mu.Lock()
	defer b.mu.Unlock()
	// Waits of at least 125, 250 and 500 ms leave room for 4 tries in
	// 1.5 s; without the growing backoff there are 6 or more.
	if b.tries > 4 {
		t.Errorf("%d subscription tries in 1.5 s; want at most 4 (backing off)", b.tries)
	}
}
