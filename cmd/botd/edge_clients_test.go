package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

// TestForwardedClient: the client a trusted proxy's X-Forwarded-For names
// is the rightmost entry that is not a trusted proxy; a malformed entry
// there, or no entry at all, names nobody (the caller then counts the
// proxy). Entries left of the client are never read. The old code named
// nobody whenever any entry, even a forged one on the left, was malformed.
func TestForwardedClient(t *testing.T) {
	trustedNets := []netip.Prefix{
		netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128"), netip.MustParsePrefix("10.0.0.0/8"),
	}
	trusted := func(a netip.Addr) bool {
		for _, p := range trustedNets {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	for _, tc := range []struct {
		name   string
		values []string
		want   string // "": nobody
	}{
		{"no header", nil, ""},
		{"empty header", []string{""}, ""},
		{"blank header", []string{"  "}, ""},
		{"one client", []string{"203.0.113.9"}, "203.0.113.9"},
		{"forged garbage left of the client", []string{"garbage, 198.51.100.2"}, "198.51.100.2"},
		{"forged loopback left of the client", []string{"127.0.0.1, 203.0.113.9"}, "203.0.113.9"},
		{"garbage behind a trusted hop", []string{"garbage, 10.0.0.2"}, ""},
		{"unknown", []string{"unknown"}, ""},
		{"malformed where the client is", []string{"198.51.100.2, garbage"}, ""},
		{"empty entry where the client is", []string{"203.0.113.9,,10.0.0.2"}, ""},
		{"client behind trusted hops", []string{"203.0.113.9, 10.0.0.2, 10.0.0.3"}, "203.0.113.9"},
		{"several header lines", []string{"203.0.113.1", "198.51.100.7, 10.0.0.3"}, "198.51.100.7"},
		{"trusted hops only: the leftmost", []string{"10.0.0.3, 10.0.0.2"}, "10.0.0.3"},
		{"with a port", []string{"203.0.113.9:4711"}, "203.0.113.9"},
		{"IPv6 with a port", []string{"[2001:db8::1]:443"}, "2001:db8::1"},
		{"IPv4-mapped", []string{"::ffff:203.0.113.9"}, "203.0.113.9"},
		{"IPv6 zone dropped", []string{"fe80::1%eth0"}, "fe80::1"},
	} {
		got := forwardedClient(tc.values, trusted)
		want := netip.Addr{}
		if tc.want != "" {
			want = netip.MustParseAddr(tc.want)
		}
		if got != want {
			t.Errorf("%s: forwardedClient(%q) = %v, want %v", tc.name, tc.values, got, want)
		}
	}
}

// TestProxyWithoutClientIsCapped (review of issue 11, finding 1): through a
// trusted proxy, a request whose X-Forwarded-For is malformed or missing is
// still counted, against the client the header does name or against the
// proxy itself. On the old code each of these ran uncapped (4×200).
func TestProxyWithoutClientIsCapped(t *testing.T) {
	in := startBotd(t, nil, "-max-conns-per-ip", "3", "-trusted-proxies", "127.0.0.0/8")
	for _, tc := range []struct {
		src, header string // header: the X-Forwarded-For line, "" for none
	}{
		{"127.0.0.11", "X-Forwarded-For: garbage, 10.0.0.2\r\n"}, // counted as 10.0.0.2
		{"127.0.0.12", "X-Forwarded-For: unknown\r\n"},           // counted as the proxy
		{"127.0.0.13", ""},                      // counted as the proxy
		{"127.0.0.14", "X-Forwarded-For: \r\n"}, // counted as the proxy
	} {
		var got []int
		for range 4 {
			c := dialFrom(t, tc.src, in.addr) // kept open: keep-alive
			res := exchange(t, c, "GET /healthz HTTP/1.1\r\nHost: "+in.addr+"\r\n"+tc.header+"\r\n")
			code := 0
			if res != nil {
				code = res.StatusCode
			}
			got = append(got, code)
		}
		if want := []int{200, 200, 200, 503}; !equalInts(got, want) {
			t.Errorf("4 keep-alive connections from trusted proxy %s with %q: statuses %v, want %v", tc.src, strings.TrimSpace(tc.header), got, want)
		}
	}
	if got := getMetric(t, in.addr, `dialogd_http_refused_total{reason="conns_per_ip"}`); got != "4" {
		t.Errorf("conns_per_ip refusals = %s, want 4", got)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestClientKey: -max-conns-per-ip counts an IPv4 address on its own
// (IPv4-mapped IPv6 as that IPv4 address) and an IPv6 address by its
// network of -client-net-prefix bits.
func TestClientKey(t *testing.T) {
	for _, tc := range []struct {
		bits     int
		ip, want string
	}{
		{64, "198.51.100.4", "198.51.100.4/32"},
		{64, "::ffff:198.51.100.4", "198.51.100.4/32"},
		{64, "2001:db8:1:2:abcd:ef01:2345:6789", "2001:db8:1:2::/64"},
		{64, "2001:db8:1:2::1", "2001:db8:1:2::/64"},
		{64, "fe80::1%eth0", "fe80::/64"},
		{56, "2001:db8:1:2ff::1", "2001:db8:1:200::/56"},
		{128, "2001:db8:1:2::1", "2001:db8:1:2::1/128"},
		{128, "198.51.100.4", "198.51.100.4/32"},
	} {
		l := &connLimiter{ipv6Bits: tc.bits}
		got := l.clientKey(netip.MustParseAddr(tc.ip))
		if got.String() != tc.want {
			t.Errorf("clientKey(%s) with -client-net-prefix %d = %v, want %s", tc.ip, tc.bits, got, tc.want)
		}
	}
}

// TestIPv6ClientIsItsSlash64 (review of issue 11, finding 2): addresses of
// one IPv6 /64 share one -max-conns-per-ip allowance; another /64 has its
// own. Loopback has a single IPv6 address, so the clients come through a
// trusted proxy, which counts them with the same keys as accepted
// connections. On the old code each address had the whole cap.
func TestIPv6ClientIsItsSlash64(t *testing.T) {
	for _, tc := range []struct {
		prefix string
		steps  []struct {
			client string
			want   int
		}
	}{
		{"64", []struct {
			client string
			want   int
		}{
			{"2001:db8:1:2::1", 200}, {"2001:db8:1:2::ffff", 200},
			{"2001:db8:1:2:abcd::1", 503}, // a third address of the same /64
			{"2001:db8:1:3::1", 200},      // another /64
			{"198.51.100.4", 200}, {"::ffff:198.51.100.4", 200},
			{"198.51.100.4", 503}, // IPv4, mapped or not, is one client
		}},
		{"128", []struct {
			client string
			want   int
		}{
			{"2001:db8:1:2::1", 200}, {"2001:db8:1:2::2", 200}, {"2001:db8:1:2::3", 200},
		}},
	} {
		in := startBotd(t, nil, "-max-conns-per-ip", "2", "-client-net-prefix", tc.prefix)
		for i, st := range tc.steps {
			c := dialFrom(t, "127.0.0.1", in.addr) // the default trusted proxy
			res := exchange(t, c, "GET /healthz HTTP/1.1\r\nHost: "+in.addr+"\r\nX-Forwarded-For: "+st.client+"\r\n\r\n")
			if res == nil || res.StatusCode != st.want {
				t.Errorf("-client-net-prefix %s, step %d: client %s: got %s, want %d", tc.prefix, i, st.client, statusOf(res), st.want)
			}
		}
	}
}

// TestClientNetPrefixFlag: the prefix length has an environment fallback
// and is refused outside 1..128.
func TestClientNetPrefixFlag(t *testing.T) {
	noEnv := func(string) string { return "" }
	cfg, err := parseConfig(nil, noEnv, io.Discard)
	if err != nil || cfg.Edge.ClientNetPrefix != 64 {
		t.Errorf("default -client-net-prefix = %d (err %v), want 64", cfg.Edge.ClientNetPrefix, err)
	}
	cfg, err = parseConfig(nil, func(k string) string { return map[string]string{"CLIENT_NET_PREFIX": "56"}[k] }, io.Discard)
	if err != nil || cfg.Edge.ClientNetPrefix != 56 {
		t.Errorf("CLIENT_NET_PREFIX=56: %d (err %v), want 56", cfg.Edge.ClientNetPrefix, err)
	}
	for _, v := range []string{"0", "129", "-1", "x"} {
		if _, err := parseConfig([]string{"-client-net-prefix", v}, noEnv, io.Discard); err == nil || !strings.Contains(err.Error(), "-client-net-prefix") {
			t.Errorf("-client-net-prefix %s: err %v, want an error naming the flag", v, err)
		}
	}
}

// TestAdminAndDebugCheckHost (review of issue 11, finding 4): the admin
// address (/metrics, /healthz) and the pprof address answer 421 to a Host
// that is not botd's, as the main address does, so DNS rebinding cannot
// read them from a loopback port. On the old code both answered 200.
func TestAdminAndDebugCheckHost(t *testing.T) {
	in := startBotd(t, nil, "-allowed-hosts", "chat.example.com")
	admin, _ := adminAddrs.Load(in.addr)
	cfg, err := parseConfig([]string{"-addr", "127.0.0.1:0", "-log-level", "warn", "-debug-addr", "ops.example.internal:6060"},
		func(k string) string { return map[string]string{"BOT_SECRET_KEY": testSecret}[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	s, err := newServer(cfg, &testLog{t: t})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.debugHandler())
	t.Cleanup(ts.Close)
	debug := ts.URL
	for _, tc := range []struct {
		url, host string
		want      int
	}{
		{"http://" + admin.(string) + "/metrics", admin.(string), 200},
		{"http://" + admin.(string) + "/metrics", "localhost:9090", 200},
		{"http://" + admin.(string) + "/metrics", "chat.example.com", 200},
		{"http://" + admin.(string) + "/metrics", "rebind.attacker.example:9090", 421},
		{"http://" + admin.(string) + "/healthz", "rebind.attacker.example", 421},
		{debug + "/debug/pprof/", "127.0.0.1:6060", 200},
		{debug + "/debug/pprof/", "ops.example.internal:6060", 200}, // -debug-addr's host
		{debug + "/debug/pprof/heap?debug=1", "rebind.attacker.example:6060", 421},
		{debug + "/debug/pprof/", "attacker.example", 421},
	} {
		req, _ := http.NewRequest(http.MethodGet, tc.url, nil)
		req.Host = tc.host
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.want {
			t.Errorf("GET %s with Host %q: %d, want %d", tc.url, tc.host, res.StatusCode, tc.want)
		}
		if tc.want == 421 && (strings.Contains(string(b), "dialogd_") || strings.Contains(string(b), "goroutine")) {
			t.Errorf("GET %s with Host %q: refused, but the body leaks %.80q", tc.url, tc.host, b)
		}
	}
}
