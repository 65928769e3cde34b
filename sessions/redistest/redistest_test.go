package redistest_test

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/botforge/dialogd/sessions/redistest"
	"github.com/redis/go-redis/v9"
)

func TestStartStopRestart(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	if !strings.HasPrefix(srv.Addr, "127.0.0.1:") {
		t.Fatalf("Addr = %q; want 127.0.0.1:port", srv.Addr)
	}
	if got, want := srv.URL(), "redis://"+srv.Addr; got != want {
		t.Errorf("URL() = %q; want %q", got, want)
	}
	rdb := srv.Client(t)
	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatalf("SET: %v", err)
	}
	if got, err := rdb.Get(ctx, "k").Result(); err != nil || got != "v" {
		t.Fatalf("GET k = %q, %v; want \"v\", <nil>", got, err)
	}
	cfg, err := rdb.ConfigGet(ctx, "save").Result()
	if err != nil {
		t.Fatalf("CONFIG GET save: %v", err)
	}
	if cfg["save"] != "" {
		t.Errorf("save = %q; want \"\" (persistence off)", cfg["save"])
	}

	srv.Stop()
	if c, err := net.DialTimeout("tcp", srv.Addr, time.Second); err == nil {
		c.Close()
		t.Fatalf("dial %s after Stop succeeded; want connection refused", srv.Addr)
	}
	srv.Stop() // a second Stop is a no-op

	srv.Restart()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("PING after Restart: %v", err)
	}
	if err := rdb.Get(ctx, "k").Err(); !errors.Is(err, redis.Nil) {
		t.Errorf("GET k after Restart: err = %v; want redis: nil (data is not persisted)", err)
	}
}

// TestStartSkipsUnderShort runs TestStartStopRestart again in a child test
// process with -test.short: Start must skip it, saying why, before it
// looks for redis-server.
func TestStartSkipsUnderShort(t *testing.T) {
	if testing.Short() {
		t.Skip("checks what -short does from a child process; nothing to check inside one")
	}
	cmd := exec.Command(os.Args[0], "-test.short", "-test.v", "-test.run=^TestStartStopRestart$")
	cmd.Env = append(os.Environ(), "PATH=") // no redis-server: a skip must not depend on it
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child test process: %v\n%s", err, out)
	}
	for _, want := range []string{"--- SKIP: TestStartStopRestart", "skipped in the -short tier"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("child output lacks %q:\n%s", want, out)
		}
	}
}
