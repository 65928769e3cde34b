package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestDemoAPIBase(t *testing.T) {
	tests := []struct {
		addr, want string
	}{
		{"localhost:8080", "http://localhost:8080/demo/api"},
		{"127.0.0.1:9090", "http://127.0.0.1:9090/demo/api"},
		{":9090", "http://127.0.0.1:9090/demo/api"},
		{"0.0.0.0:9090", "http://127.0.0.1:9090/demo/api"},
		{"[::]:9090", "http://[::1]:9090/demo/api"},
		{"[::1]:9091", "http://[::1]:9091/demo/api"},
		{"bot.internal:80", "http://bot.internal:80/demo/api"},
	}
	for _, tt := range tests {
		got, err := demoAPIBase(tt.addr)
		if err != nil || got != tt.want {
			t.Errorf("demoAPIBase(%q) = %q, %v; want %q", tt.addr, got, err, tt.want)
		}
	}
	if got, err := demoAPIBase("localhost"); err == nil {
		t.Errorf("demoAPIBase(%q) = %q; want an error (no port)", "localhost", got)
	}
}

// userBotd is botd started the way a user starts it (run with flags and
// environment, as `ADDR=… make run` does), on a free port that is not 8080.
type userBotd struct {
	addr string
	logs *authLogBuffer
}

// startUserBotd runs botd through run() with env as its environment (plus
// a test BOT_SECRET_KEY) and -addr 127.0.0.1:<free port>, after clearing
// DEMO_API_BASE so that nothing but botd itself tells the demo bot where
// its API is. It waits until /healthz answers.
func startUserBotd(t *testing.T, env map[string]string, args ...string) *userBotd {
	t.Helper()
	t.Setenv(demoAPIBaseEnv, "") // restored when the test ends
	addr := freeAddr(t)
	getenv := func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		if k == "BOT_SECRET_KEY" {
			return testSecret
		}
		return ""
	}
	if _, ok := env["ADDR"]; !ok {
		args = append([]string{"-addr", addr}, args...)
	} else {
		addr = env["ADDR"]
	}
	u := &userBotd{addr: addr, logs: &authLogBuffer{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"-log-level", "warn"}, args...), getenv, u.logs) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
			}
		})
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("botd log:\n%s", u.logs.String())
		}
	})
	waitHealthy(t, "http://"+addr, done)
	return u
}

// freeAddr returns 127.0.0.1:<port> for a port that was free a moment ago
// and is not 8080.
func freeAddr(t *testing.T) string {
	t.Helper()
	for {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		if !strings.HasSuffix(addr, ":8080") {
			return addr
		}
	}
}

// waitHealthy polls base/healthz until it answers 200, failing when the
// server stopped (done) or after 20 s.
func waitHealthy(t *testing.T, base string, done <-chan error) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case err := <-done:
			t.Fatalf("server at %s stopped while starting: %v", base, err)
		default:
		}
		if resp, err := http.Get(base + "/healthz"); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/healthz did not answer 200 within 20s", base)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestDemoLeadOnAnyPort is issue 9 bug 1: botd serving the embedded demo on
// a port other than 8080 (given as -addr, or as ADDR like `ADDR=… make
// run`) creates the lead through its own demo API.
func TestDemoLeadOnAnyPort(t *testing.T) {
	for _, how := range []string{"flag", "env"} {
		t.Run(how, func(t *testing.T) {
			var env map[string]string
			if how == "env" {
				env = map[string]string{"ADDR": freeAddr(t)}
			}
			in := startUserBotd(t, env)
			c := dial(t, in.addr, "", 0)
			c.turnEnd() // welcome
			for _, say := range []string{"create a lead", "Jane", "Doe", "Acme Corp", "jane@example.com"} {
				c.say(say)
			}
			got := c.say("yes")
			if !leadReply.MatchString("bot: " + got) {
				t.Fatalf("botd on %s answered the confirmed lead with %q; want %s", in.addr, got,
					fmt.Sprintf("%q", "Created lead 00Q… for Jane Doe."))
			}
		})
	}
}

// TestBindAnyPort: with -addr HOST:0 the listen address, the demo API's
// address and the default public URL name the port the system picked.
func TestBindAnyPort(t *testing.T) {
	tests := []struct {
		addr, public, listening string
		wantAddr, wantPublic    string
	}{
		{"127.0.0.1:0", "http://127.0.0.1:0", "127.0.0.1:41234", "127.0.0.1:41234", "http://127.0.0.1:41234"},
		{"127.0.0.1:0", "https://bot.example.com", "127.0.0.1:41234", "127.0.0.1:41234", "https://bot.example.com"},
		{":0", "", "[::]:41234", ":41234", ""},
		{"127.0.0.1:9090", "http://127.0.0.1:9090", "127.0.0.1:9090", "127.0.0.1:9090", "http://127.0.0.1:9090"},
	}
	for _, tt := range tests {
		c := &config{Addr: tt.addr, PublicURL: tt.public}
		c.bind(tt.listening)
		if c.Addr != tt.wantAddr || c.PublicURL != tt.wantPublic {
			t.Errorf("bind(%q) with -addr %q: Addr %q, PublicURL %q; want %q, %q", tt.listening, tt.addr, c.Addr, c.PublicURL, tt.wantAddr, tt.wantPublic)
		}
	}
	if base, _ := demoAPIBase((&config{Addr: ":41234"}).Addr); base != "http://127.0.0.1:41234/demo/api" {
		t.Errorf("demo API base after binding = %q", base)
	}
}
