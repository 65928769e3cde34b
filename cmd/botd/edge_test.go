package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// dialFrom opens a TCP connection to addr from the loopback address src
// (127.0.0.0/8 is all loopback on Linux), so that one test can be several
// clients.
func dialFrom(t *testing.T, src, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s from %s: %v", addr, src, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// exchange writes req on c and reads one answer (the body read and closed);
// a nil answer when the connection ends or stays silent for 10 s.
func exchange(t *testing.T, c net.Conn, req string) *http.Response {
	t.Helper()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if req != "" {
		if _, err := io.WriteString(c, req); err != nil {
			return nil
		}
	}
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return nil
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	res.Body = io.NopCloser(strings.NewReader(string(b)))
	return res
}

func bodyOf(res *http.Response) string {
	if res == nil {
		return ""
	}
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

// waitClosed reports whether the server closes c (EOF or reset) within 10 s,
// reading and dropping whatever it sends first.
func waitClosed(c net.Conn) bool {
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

// TestSlowBodyIsTimedOut (issue 11 item 2): a request that declares a body
// and never sends it is not held forever on any route, and a declared body
// over -max-body-bytes is refused at once. On the old main the server
// answered, then waited for the body without end.
func TestSlowBodyIsTimedOut(t *testing.T) {
	in := startBotd(t, nil, "-read-timeout", "1s")
	for _, path := range []string{"/healthz", "/", "/oauth/callback", "/ws"} {
		for _, tc := range []struct {
			length     string
			wantStatus int // 0: any answer, the point is the close
		}{
			{"1000", 0},
			{"200000", http.StatusRequestEntityTooLarge},
		} {
			c := dialFrom(t, "127.0.0.1", in.addr)
			req := "POST " + path + " HTTP/1.1\r\nHost: " + in.addr + "\r\nContent-Type: text/plain\r\nContent-Length: " + tc.length + "\r\n\r\n"
			res := exchange(t, c, req)
			if tc.wantStatus != 0 && (res == nil || res.StatusCode != tc.wantStatus) {
				t.Errorf("POST %s with Content-Length %s: got %v, want status %d", path, tc.length, statusOf(res), tc.wantStatus)
			}
			if !waitClosed(c) {
				t.Errorf("POST %s with Content-Length %s and no body: connection still open after 10 s; want it closed at -read-timeout", path, tc.length)
			}
		}
	}
	if got := getMetric(t, in.addr, `dialogd_http_refused_total{reason="body_too_large"}`); got != "4" {
		t.Errorf("body_too_large refusals = %s, want 4", got)
	}
}

func statusOf(res *http.Response) string {
	if res == nil {
		return "no answer"
	}
	return res.Status
}

// TestConnectionCaps (issue 11 item 3): connections over -max-conns-per-ip
// from one address, and over -max-conns in all, get a 503 at once while
// other clients go on; each refusal is counted.
func TestConnectionCaps(t *testing.T) {
	in := startBotd(t, nil, "-max-conns-per-ip", "3", "-max-conns", "5")
	steps := []struct {
		src    string
		refuse string // "": admitted; else the refusal reason
	}{
		{"127.0.0.2", ""}, {"127.0.0.2", ""}, {"127.0.0.2", ""},
		{"127.0.0.2", refusedConnsPerIP},
		{"127.0.0.3", ""}, {"127.0.0.3", ""},
		{"127.0.0.4", refusedConnsGlobal},
	}
	for i, st := range steps {
		c := dialFrom(t, st.src, in.addr)
		if st.refuse == "" {
			// Admitted: it stays open, answering requests.
			res := exchange(t, c, "GET /healthz HTTP/1.1\r\nHost: "+in.addr+"\r\n\r\n")
			if res == nil || res.StatusCode != http.StatusOK {
				t.Fatalf("step %d: connection %d from %s: got %s, want 200", i, i+1, st.src, statusOf(res))
			}
			continue
		}
		res := exchange(t, c, "")
		if res == nil || res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(bodyOf(res), "too many open connections") {
			t.Errorf("step %d: connection from %s over the cap: got %s, want 503 too many open connections", i, st.src, statusOf(res))
		}
		if got := getMetric(t, in.addr, `dialogd_http_refused_total{reason="`+st.refuse+`"}`); got != "1" {
			t.Errorf("step %d: %s refusals = %s, want 1", i, st.refuse, got)
		}
	}
	if got := getMetric(t, in.addr, "dialogd_http_connections"); got != "5" {
		t.Errorf("dialogd_http_connections = %s, want 5", got)
	}
}

// TestTrustedProxyClientCap: behind a trusted proxy the per-IP cap counts
// the client the proxy names in X-Forwarded-For, not the proxy; a header
// from an untrusted peer is not believed.
func TestTrustedProxyClientCap(t *testing.T) {
	in := startBotd(t, nil, "-max-conns-per-ip", "2", "-trusted-proxies", "127.0.0.5")
	get := func(src, xff string) *http.Response {
		c := dialFrom(t, src, in.addr)
		return exchange(t, c, "GET /healthz HTTP/1.1\r\nHost: "+in.addr+"\r\nX-Forwarded-For: "+xff+"\r\n\r\n")
	}
	steps := []struct {
		src, xff string
		want     int
	}{
		{"127.0.0.5", "203.0.113.9", 200},
		{"127.0.0.5", "198.51.100.1, 203.0.113.9", 200}, // the proxy appended 203.0.113.9
		{"127.0.0.5", "203.0.113.9", 503},
		{"127.0.0.5", "203.0.113.10", 200},
		{"127.0.0.5", "203.0.113.11", 200}, // the proxy itself holds 4 now: not capped
		{"127.0.0.6", "203.0.113.12", 200}, // untrusted: counted as 127.0.0.6
		{"127.0.0.6", "203.0.113.13", 200},
		{"127.0.0.6", "203.0.113.14", 0}, // 127.0.0.6's third: refused at accept
	}
	for i, st := range steps {
		res := get(st.src, st.xff)
		got := 0
		if res != nil {
			got = res.StatusCode
		}
		if st.want == 0 && got == http.StatusServiceUnavailable {
			continue // the refusal was answered before the request was read
		}
		if got != st.want {
			t.Errorf("step %d: GET from %s with X-Forwarded-For %q: got %s, want %d", i, st.src, st.xff, statusOf(res), st.want)
		}
	}
	if got := getMetric(t, in.addr, `dialogd_http_refused_total{reason="conns_per_ip"}`); got != "2" {
		t.Errorf("conns_per_ip refusals = %s, want 2", got)
	}
}

// TestHostAllowlist (issue 11 item 6): a Host that is not botd's (DNS
// rebinding: an attacker's name resolving to botd's address) gets 421;
// addresses, localhost, -public-url's host and -allowed-hosts pass. On the
// old main every Host was served.
func TestHostAllowlist(t *testing.T) {
	in := startBotd(t, nil, "-allowed-hosts", "chat.example.com", "-public-url", "https://bot.example.net")
	_, port, _ := net.SplitHostPort(in.addr)
	for _, tc := range []struct {
		host string
		want int
	}{
		{in.addr, 200},
		{"localhost:" + port, 200},
		{"[::1]:" + port, 200},
		{"10.1.2.3", 200},
		{"chat.example.com", 200},
		{"CHAT.Example.com.:443", 200},
		{"bot.example.net", 200},
		{"rebind.attacker.example:" + port, 421},
		{"attacker.example", 421},
		{"localhost.attacker.example", 421},
		{"chat.example.com.attacker.example", 421},
	} {
		for _, path := range []string{"/", "/healthz", "/ws"} {
			req, _ := http.NewRequest(http.MethodGet, "http://"+in.addr+path, nil)
			req.Host = tc.host
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			got := res.StatusCode
			if path == "/ws" && got == http.StatusBadRequest {
				got = 200 // served: a plain GET is not a handshake
			}
			if got != tc.want {
				t.Errorf("GET %s with Host %q: got %d, want %d", path, tc.host, res.StatusCode, tc.want)
			}
			if tc.want == 421 && !strings.Contains(string(b), "-allowed-hosts") {
				t.Errorf("GET %s with Host %q: body %q does not say what to do", path, tc.host, b)
			}
		}
	}
	if got := getMetric(t, in.addr, `dialogd_http_refused_total{reason="host"}`); got != "12" {
		t.Errorf("host refusals = %s, want 12", got)
	}
}

// TestMetricsOnlyOnAdminAddress (issue 11 item 7): /metrics is not on the
// public address, only on -admin-addr.
func TestMetricsOnlyOnAdminAddress(t *testing.T) {
	in := startBotd(t, nil)
	if code := getStatus(t, "http://"+in.addr+"/metrics"); code != http.StatusNotFound {
		t.Errorf("GET /metrics on the public address: %d, want 404", code)
	}
	if body := getBody(t, metricsURL(t, in.addr)); !strings.Contains(body, "dialogd_http_refused_total") {
		t.Errorf("GET /metrics on the admin address lacks dialogd_http_refused_total")
	}
}

// TestWSTenantProbe (issue 11 item 7): /ws?bot=NAME answers the same for a
// bot that exists, one that does not, and a malformed name, unless the
// request is a real handshake for a bot served. The old main answered 404
// for unknown bots and 400 for known ones.
func TestWSTenantProbe(t *testing.T) {
	dir := writeBot(t, "alpha", "Alpha here", "")
	in := startBotd(t, nil, "-bot", dir)
	answer := func(bot string) string {
		res, err := http.Get("http://" + in.addr + "/ws?bot=" + url.QueryEscape(bot))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		var keys []string
		for k := range res.Header {
			if k != "Date" && k != "X-Request-Id" {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		return res.Status + " " + strings.Join(keys, ",") + " " + string(b)
	}
	want := answer("alpha")
	for _, bot := range []string{"gamma", "ALPHA", "alpha\x00", strings.Repeat("x", 300), "../alpha"} {
		if got := answer(bot); got != want {
			t.Errorf("GET /ws?bot=%.20q: %q; want the known bot's answer %q", bot, got, want)
		}
	}
	// A real handshake for an unknown bot gets that answer too.
	_, res, err := websocket.DefaultDialer.Dial("ws://"+in.addr+"/ws?bot=gamma", http.Header{"Origin": {"http://" + in.addr}})
	if err == nil || res == nil || res.StatusCode != http.StatusBadRequest {
		t.Errorf("handshake for an unknown bot: err %v, status %s; want 400", err, statusOf(res))
	}
	// And the known bot still chats.
	c := dialBot(t, in.addr, "alpha", "", 0)
	if got, _ := c.turnEnd(); got != "Alpha here" {
		t.Errorf("alpha greets %q", got)
	}
}

// TestSecurityHeaders (issue 11 item 7): nosniff everywhere; no framing of
// the demo page, the OAuth pages or error answers, but the widget's files
// (loaded by host pages) carry no framing header; HSTS only when the
// public URL is https.
func TestSecurityHeaders(t *testing.T) {
	plain := startBotd(t, nil)
	tls := startBotd(t, nil, "-public-url", "https://bot.example.net")
	for _, tc := range []struct {
		in        *instance
		path      string
		wantFrame string
		wantHSTS  string
	}{
		{plain, "/", "DENY", ""},
		{plain, "/oauth/callback?state=x", "DENY", ""},
		{plain, "/healthz", "DENY", ""},
		{plain, "/widget.js", "", ""},
		{plain, "/widget.css", "", ""},
		{tls, "/", "DENY", hstsValue},
		{tls, "/widget.js", "", hstsValue},
		{tls, "/oauth/callback?state=x", "DENY", hstsValue},
	} {
		res, err := http.Get("http://" + tc.in.addr + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		h := res.Header
		if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q, want nosniff", tc.path, got)
		}
		if got := h.Get("X-Frame-Options"); got != tc.wantFrame {
			t.Errorf("%s: X-Frame-Options %q, want %q", tc.path, got, tc.wantFrame)
		}
		if got := h.Get("Strict-Transport-Security"); got != tc.wantHSTS {
			t.Errorf("%s (public URL https: %v): Strict-Transport-Security %q, want %q", tc.path, tc.in == tls, got, tc.wantHSTS)
		}
	}
}

// TestEdgeFlags: every limit is a flag with an environment fallback, and a
// bad value is refused with the flag's name.
func TestEdgeFlags(t *testing.T) {
	env := map[string]string{"MAX_CONNS_PER_IP": "7", "READ_TIMEOUT": "3s", "ALLOWED_HOSTS": "a.example, b.example", "TRUSTED_PROXIES": "10.0.0.0/8,192.0.2.1"}
	cfg, err := parseConfig([]string{"-max-conns", "99"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	e := cfg.Edge
	if e.MaxConnsPerIP != 7 || e.MaxConns != 99 || e.ReadTimeout != 3*time.Second || len(e.AllowedHosts) != 2 || len(e.TrustedProxies) != 2 ||
		e.MaxBodyBytes != defaultMaxBodyBytes || e.ClientIPHeader != "X-Forwarded-For" || e.AdminAddr != "" {
		t.Errorf("edge config = %+v", e)
	}
	for _, args := range [][]string{
		{"-read-timeout", "0"}, {"-max-conns", "0"}, {"-max-body-bytes", "x"}, {"-trusted-proxies", "not-an-ip"}, {"-idle-timeout", "-1s"},
	} {
		_, err := parseConfig(args, func(string) string { return "" }, io.Discard)
		if err == nil || !strings.Contains(err.Error(), args[0]) {
			t.Errorf("parseConfig(%q) = %v; want an error naming %s", args, err, args[0])
		}
	}
	if _, err := parseConfig([]string{"-max-conns-per-ip", "0"}, func(string) string { return "" }, io.Discard); err != nil {
		t.Errorf("-max-conns-per-ip 0 (no per-IP cap): %v", err)
	}
	// A proxy on the same host is trusted unless told otherwise.
	for _, tc := range []struct {
		args []string
		want int
	}{{nil, 2}, {[]string{"-trusted-proxies="}, 0}} {
		cfg, err := parseConfig(tc.args, func(string) string { return "" }, io.Discard)
		if err != nil || len(cfg.Edge.TrustedProxies) != tc.want {
			t.Errorf("parseConfig(%q): trusted proxies %v (err %v), want %d", tc.args, cfg.Edge.TrustedProxies, err, tc.want)
		}
	}
}

// TestClosedWebSocketFreesItsPlace: a WebSocket counts against its
// address's cap until it closes (the upgraded connection is hijacked from
// net/http, so its close is seen by the listener, not the server).
func TestClosedWebSocketFreesItsPlace(t *testing.T) {
	in := startBotd(t, nil, "-max-conns-per-ip", "2")
	origin := http.Header{"Origin": {"http://" + in.addr}}
	dialer := func() *websocket.Dialer {
		nd := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.7")}}
		return &websocket.Dialer{NetDial: nd.Dial, HandshakeTimeout: 5 * time.Second}
	}
	var open []*websocket.Conn
	for i := range 3 {
		ws, res, err := dialer().Dial("ws://"+in.addr+"/ws", origin)
		if i < 2 {
			if err != nil {
				t.Fatalf("WebSocket %d: %v", i+1, err)
			}
			open = append(open, ws)
			continue
		}
		if err == nil || res == nil || res.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("WebSocket 3 from the same address: err %v, status %s; want 503", err, statusOf(res))
		}
	}
	open[0].Close()
	waitMetric(t, in.addr, "dialogd_http_connections", "1")
	ws, _, err := dialer().Dial("ws://"+in.addr+"/ws", origin)
	if err != nil {
		t.Fatalf("after one closed, a new WebSocket from the address: %v; want it admitted", err)
	}
	ws.Close()
	open[1].Close()
}
