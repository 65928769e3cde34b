package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/websocket"

	"github.com/botforge/dialogd/sessions/redistest"
)

// opsLog collects botd's log output for the operator tests.
type opsLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *opsLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *opsLog) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Split(strings.TrimSpace(l.buf.String()), "\n")
}

// records are the JSON log records with this msg.
func (l *opsLog) records(msg string) []map[string]any {
	var out []map[string]any
	for _, line := range l.lines() {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

// startOpsBotd runs botd in-process with its log going to the returned
// opsLog; it stops when the test ends.
func startOpsBotd(t *testing.T, args ...string) (string, *opsLog) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string {
		if k == "BOT_SECRET_KEY" {
			return "ops-test-secret-0123456789"
		}
		return ""
	}
	cfg, err := parseConfig(append([]string{"-addr", ln.Addr().String(), "-admin-addr", "127.0.0.1:0"}, args...), getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	logs := &opsLog{}
	s, err := newServer(cfg, logs)
	if err != nil {
		t.Fatal(err)
	}
	noteAdmin(ln.Addr().String(), s)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return ln.Addr().String(), logs
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRedisOutageLogs: with Redis gone and back, every line botd writes is
// JSON (go-redis's own lines included, at warn), the lost delivery
// subscription is logged once and its recovery once, with the downtime in
// milliseconds.
func TestRedisOutageLogs(t *testing.T) {
	rs := redistest.Start(t)
	addr, logs := startOpsBotd(t, "-redis", rs.URL(), "-log-level", "info")
	rdb := rs.Client(t)
	waitUntil(t, "botd to subscribe", func() bool {
		n, _ := rdb.PubSubNumSub(context.Background(), "dlg:deliver").Result()
		return n["dlg:deliver"] == 1
	})
	rs.Stop()
	if code := opsGet(t, "http://"+addr+"/readyz", nil).StatusCode; code != http.StatusServiceUnavailable {
		t.Errorf("readyz with Redis down: %d, want 503", code)
	}
	waitUntil(t, "the lost subscription to be logged", func() bool { return len(logs.records("delivery subscription lost; retrying with backoff")) > 0 })
	waitUntil(t, "a go-redis line", func() bool {
		// Each readiness check pings; once the pooled connections are
		// found dead, go-redis dials, fails and logs.
		opsGet(t, "http://"+addr+"/readyz", nil)
		return len(logs.records("redis client")) > 0
	})
	rs.Restart()
	waitUntil(t, "the recovery to be logged", func() bool { return len(logs.records("delivery subscription restored")) > 0 })

	for _, line := range logs.lines() {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("log line is not JSON: %q", line)
		}
	}
	if n := len(logs.records("delivery subscription lost; retrying with backoff")); n != 1 {
		t.Errorf("loss logged %d times, want once", n)
	}
	for _, rec := range logs.records("redis client") {
		if rec["level"] != "WARN" {
			t.Errorf("go-redis line at %v, want WARN: %v", rec["level"], rec)
		}
	}
	restored := logs.records("delivery subscription restored")
	if down, ok := restored[0]["down_ms"].(float64); len(restored) != 1 || !ok || down <= 0 {
		t.Errorf("recovery logged as %v; want one record with a positive down_ms", restored)
	}
}

func opsGet(t *testing.T, u string, header http.Header) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

func opsMetrics(t *testing.T, addr string) string {
	t.Helper()
	res, err := http.Get(metricsURL(t, addr))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

// opsBot writes a bot whose "hello" task answers "I am NAME"; with an API
// base URL, the task first calls apiBase/ping with a token from
// apiBase/token (client credentials).
func opsBot(t *testing.T, name, apiBase string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	if err := os.MkdirAll(filepath.Join(dir, "tasks"), 0o755); err != nil {
		t.Fatal(err)
	}
	bot := "name: " + name + "\nevents:\n  conversation_start: {text: \"Hi\"}\n"
	task := "name: hi\nnodes:\n  - {id: start, type: intent, utterances: [hello], next: m}\n  - {id: m, type: message, text: \"I am " + name + "\"}\n"
	if apiBase != "" {
		t.Setenv("OPS_CLIENT_SECRET", "ops-client-secret")
		bot += "auth_profiles:\n  api:\n    kind: oauth2_client_credentials\n    token_url: " + apiBase + "/token\n" +
			"    client_id: ops\n    client_secret: {env: OPS_CLIENT_SECRET}\n"
		task = "name: hi\nnodes:\n  - {id: start, type: intent, utterances: [hello], next: call}\n" +
			"  - {id: call, type: service, method: GET, url: \"" + apiBase + "/ping\", auth: api, next: m}\n" +
			"  - {id: m, type: message, text: \"I am " + name + "\"}\n"
	}
	for file, text := range map[string]string{"bot.yaml": bot, "tasks/hi.yaml": task} {
		if err := os.WriteFile(filepath.Join(dir, file), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// opsSay opens a chat with bot, says text, and returns the texts of the
// answering turn. The socket stays open until the test ends.
func opsSay(t *testing.T, addr, bot, text string) string {
	t.Helper()
	u := "ws://" + addr + "/ws?bot=" + bot
	conn, _, err := websocket.DefaultDialer.Dial(u, http.Header{"Origin": {"http://" + addr}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	msg, _ := json.Marshal(map[string]string{"type": "message", "id": "m1", "text": text})
	if err := conn.WriteMessage(websocket.TextMessage, msg); err != nil {
		t.Fatal(err)
	}
	var texts []string
	for {
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, data, err := conn.ReadMessage()
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		var f struct {
			Type    string `json:"type"`
			Text    string `json:"text"`
			Input   string `json:"input"`
			ReplyTo string `json:"reply_to"`
		}
		json.Unmarshal(data, &f)
		if f.Type == "error" {
			t.Fatalf("error frame: %s", data)
		}
		if f.ReplyTo != "m1" {
			continue // the greeting of the new session
		}
		texts = append(texts, f.Text)
		if f.Type == "message" && f.Input != "" && f.Input != "ignoring" {
			return strings.Join(texts, " | ")
		}
	}
}

// TestMetricsHaveBotLabelAndBuildInfo: one botd, two bots: each bot's
// turns, tasks and connections are counted under its own bot label; the
// build is described by dialogd_build_info.
func TestMetricsHaveBotLabelAndBuildInfo(t *testing.T) {
	addr, _ := startOpsBotd(t, "-bot", opsBot(t, "alpha", "")+","+opsBot(t, "beta", ""))
	for _, bot := range []string{"alpha", "beta"} {
		if got, want := opsSay(t, addr, bot, "hello"), "I am "+bot; !strings.Contains(got, want) {
			t.Fatalf("%s answers %q, want %q", bot, got, want)
		}
	}
	metrics := opsMetrics(t, addr)
	for _, want := range []string{
		`dialogd_turns_total{bot="alpha",result="ok"} 1`,
		`dialogd_turns_total{bot="beta",result="ok"} 1`,
		`dialogd_tasks_ended_total{bot="alpha",reason="fulfilled",task="hi"} 1`,
		`dialogd_ws_connections{bot="beta"} 1`,
		`dialogd_turn_duration_seconds_count{bot="alpha"} 1`,
		fmt.Sprintf(`dialogd_build_info{go_version=%q,revision=`, runtime.Version()),
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if regexp.MustCompile(`(?m)^dialogd_turns_total\{result=`).MatchString(metrics) {
		t.Errorf("dialogd_turns_total has a series without the bot label")
	}
}

// TestRequestIDs: every HTTP answer names its request id (a UUIDv7, or a
// proxy's UUID); each WebSocket turn gets its own, sent on the turn's
// service calls as X-Request-Id and logged with the turn.
func TestRequestIDs(t *testing.T) {
	var mu sync.Mutex
	var sent, tokenCalls []string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/token" {
			tokenCalls = append(tokenCalls, r.Header.Get("X-Request-Id"))
			io.WriteString(w, `{"access_token":"ops-token","token_type":"Bearer","expires_in":3600}`)
			return
		}
		sent = append(sent, r.Header.Get("X-Request-Id"))
		io.WriteString(w, "{}")
	}))
	t.Cleanup(api.Close)
	addr, logs := startOpsBotd(t, "-bot", opsBot(t, "alpha", api.URL), "-log-level", "debug")

	proxyID := uuid.NewString()
	tests := []struct {
		name, sent string
		want       func(string) bool
	}{
		{"minted", "", isUUIDv7},
		{"junk replaced", "<script>", isUUIDv7},
		{"proxy's uuid kept", proxyID, func(s string) bool { return s == proxyID }},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.sent != "" {
			h.Set("X-Request-Id", tt.sent)
		}
		if got := opsGet(t, "http://"+addr+"/healthz", h).Header.Get("X-Request-Id"); !tt.want(got) {
			t.Errorf("%s: X-Request-Id %q", tt.name, got)
		}
	}

	for range 2 {
		if got := opsSay(t, addr, "alpha", "hello"); !strings.Contains(got, "I am alpha") {
			t.Fatalf("answer %q", got)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(sent) != 2 || !isUUIDv7(sent[0]) || !isUUIDv7(sent[1]) || sent[0] == sent[1] {
		t.Fatalf("service calls carried X-Request-Id %q; want two different UUIDv7s", sent)
	}
	if len(tokenCalls) != 1 || tokenCalls[0] != sent[0] {
		t.Errorf("token calls carried X-Request-Id %q; want one, the first turn's %s", tokenCalls, sent[0])
	}
	logged := map[string]bool{}
	for _, rec := range logs.records("turn") {
		id, _ := rec["request_id"].(string)
		logged[id] = true
		if _, ok := rec["took_ms"].(float64); !ok {
			t.Errorf("turn record without a took_ms number: %v", rec)
		}
	}
	for _, id := range sent {
		if !logged[id] {
			t.Errorf("request id %s of a service call is not in the turn log records", id)
		}
	}
	// The service node's own records carry the turn's id too.
	calls := logs.records("service call")
	if len(calls) != 2 {
		t.Fatalf("%d \"service call\" records; want 2", len(calls))
	}
	for i, rec := range calls {
		if id, _ := rec["request_id"].(string); id != sent[i] {
			t.Errorf("service call record %d has request_id %q; want %s", i, id, sent[i])
		}
	}
}

func isUUIDv7(s string) bool {
	u, err := uuid.Parse(s)
	return err == nil && u.Version() == 7
}

func TestVersionFlag(t *testing.T) {
	var out bytes.Buffer
	if err := runWith(context.Background(), []string{"-version"}, func(string) string { return "" }, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	got := strings.TrimSpace(out.String())
	if !strings.HasPrefix(got, "botd ") || !strings.Contains(got, "revision ") || !strings.HasSuffix(got, runtime.Version()+")") {
		t.Errorf("botd -version printed %q; want botd VERSION (revision REV, %s)", got, runtime.Version())
	}
}

// TestDurationsInMilliseconds: a duration attribute is logged as a number
// of milliseconds under a key ending in _ms, whoever logs it.
func TestDurationsInMilliseconds(t *testing.T) {
	tests := []struct {
		key     string
		d       time.Duration
		wantKey string
		want    float64
	}{
		{"duration", 1500 * time.Microsecond, "duration_ms", 1.5},
		{"took_ms", 2 * time.Second, "took_ms", 2000},
		{"wait", 0, "wait_ms", 0},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		newLogger(&buf, slog.LevelInfo).Info("x", slog.Duration(tt.key, tt.d))
		var rec map[string]any
		if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		if got, ok := rec[tt.wantKey].(float64); !ok || got != tt.want {
			t.Errorf("%s=%v logged as %s; want %q: %v", tt.key, tt.d, strings.TrimSpace(buf.String()), tt.wantKey, tt.want)
		}
	}
}

// botdFlags lists botd's flags with their usage texts.
func botdFlags(t *testing.T) map[string]string {
	t.Helper()
	var usage bytes.Buffer
	parseConfig([]string{"-h"}, func(string) string { return "" }, &usage)
	flags := map[string]string{}
	var name string
	for _, line := range strings.Split(usage.String(), "\n") {
		if m := regexp.MustCompile(`^  -([a-z-]+)`).FindStringSubmatch(line); m != nil {
			name = m[1]
		}
		if name != "" {
			flags[name] += line
		}
	}
	if len(flags) < 9 {
		t.Fatalf("found %d flags in the usage: %s", len(flags), usage.String())
	}
	return flags
}

// TestEveryFlagHasEnvAndREADMERow: each configuration flag names its
// environment variable, and the README's flag table lists every flag.
func TestEveryFlagHasEnvAndREADMERow(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for name, usage := range botdFlags(t) {
		if name != "version" && !strings.Contains(usage, "(env ") {
			t.Errorf("-%s has no environment variable: %s", name, usage)
		}
		if !strings.Contains(string(readme), "| `-"+name+"` |") {
			t.Errorf("README's flag table lacks -%s", name)
		}
	}
	cfg, err := parseConfig(nil, func(k string) string {
		return map[string]string{"IDLE_TTL": "2h"}[k]
	}, io.Discard)
	if err != nil || cfg.IdleTTL != 2*time.Hour {
		t.Errorf("IDLE_TTL=2h: idle TTL %v, err %v; want 2h", cfg.IdleTTL, err)
	}
}
