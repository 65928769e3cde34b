package main

import (
	"flag"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// edgeConfig is the configuration of botd's HTTP edge: how long a
// connection may take before it does useful work, how large a request may
// be, how many connections one client and all clients may hold, which Host
// names are served, and where the admin endpoints (/metrics) listen.
type edgeConfig struct {
	AdminAddr         string
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	MaxHeaderBytes    int
	MaxBodyBytes      int64
	MaxConns          int
	MaxConnsPerIP     int
	ClientNetPrefix   int // an IPv6 client is its network of this length
	TrustedProxies    []netip.Prefix
	ClientIPHeader    string
	AllowedHosts      []string
}

// Defaults of the edge flags.
const (
	defaultReadHeaderTimeout = 10 * time.Second
	defaultReadTimeout       = 15 * time.Second
	defaultWriteTimeout      = 60 * time.Second
	defaultIdleTimeout       = 60 * time.Second
	defaultMaxHeaderBytes    = 16 << 10
	defaultMaxBodyBytes      = 64 << 10
	defaultMaxConns          = 16384
	defaultMaxConnsPerIP     = 256
	// An IPv6 host commonly gets a whole /64 and may use any address in it.
	defaultClientNetPrefix = 64
	// A reverse proxy on the same host connects from loopback: all its
	// clients would otherwise share one per-IP allowance.
	defaultTrustedProxies = "127.0.0.1,::1"
)

// register adds the edge flags to fl; env gives each flag's environment
// fallback. The returned finish parses what the flags hold once fl.Parse
// has run.
func (e *edgeConfig) register(fl *flag.FlagSet, env func(name, def string) string) (finish func() error) {
	fl.StringVar(&e.AdminAddr, "admin-addr", env("ADMIN_ADDR", ""), "serve /metrics (and /healthz, /readyz) on this separate address, e.g. 127.0.0.1:9090; empty serves no metrics (env ADMIN_ADDR)")
	durations := []struct {
		dst           *time.Duration
		name, envName string
		def           time.Duration
		usage         string
		raw           *string
	}{
		{&e.ReadHeaderTimeout, "read-header-timeout", "READ_HEADER_TIMEOUT", defaultReadHeaderTimeout, "time a client has to send a request's headers", nil},
		{&e.ReadTimeout, "read-timeout", "READ_TIMEOUT", defaultReadTimeout, "time a client has to send a whole request, body included (a WebSocket sets its own deadlines once upgraded)", nil},
		{&e.WriteTimeout, "write-timeout", "WRITE_TIMEOUT", defaultWriteTimeout, "time from a request's headers to the end of its answer (not for WebSockets)", nil},
		{&e.IdleTimeout, "idle-timeout", "IDLE_TIMEOUT", defaultIdleTimeout, "time a keep-alive connection may wait for its next request", nil},
	}
	for i := range durations {
		d := &durations[i]
		d.raw = fl.String(d.name, env(d.envName, d.def.String()), d.usage+" (env "+d.envName+")")
	}
	ints := []struct {
		name, envName string
		def           int64
		usage         string
		raw           *string
	}{
		{"max-header-bytes", "MAX_HEADER_BYTES", defaultMaxHeaderBytes, "largest request line and headers in bytes", nil},
		{"max-body-bytes", "MAX_BODY_BYTES", defaultMaxBodyBytes, "largest request body in bytes; a larger one gets 413", nil},
		{"max-conns", "MAX_CONNS", defaultMaxConns, "open connections on -addr, all clients together; more get 503 at once (lowered to fit the open-file limit)", nil},
		{"max-conns-per-ip", "MAX_CONNS_PER_IP", defaultMaxConnsPerIP, "open connections of one client IP; more get 503 at once; 0 is no per-IP limit", nil},
		{"client-net-prefix", "CLIENT_NET_PREFIX", defaultClientNetPrefix, "prefix length, 1 to 128, of the IPv6 network -max-conns-per-ip counts as one client (a host commonly holds a /64); 128 counts each address; an IPv4 address is always one client", nil},
	}
	for i := range ints {
		n := &ints[i]
		n.raw = fl.String(n.name, env(n.envName, strconv.FormatInt(n.def, 10)), n.usage+" (env "+n.envName+")")
	}
	proxies := fl.String("trusted-proxies", env("TRUSTED_PROXIES", defaultTrustedProxies), "comma-separated IPs or CIDRs of reverse proxies: not limited per IP themselves, their client-IP header names the client that is; empty trusts none (env TRUSTED_PROXIES)")
	fl.StringVar(&e.ClientIPHeader, "client-ip-header", env("CLIENT_IP_HEADER", "X-Forwarded-For"), "header a trusted proxy names the client IP in (env CLIENT_IP_HEADER)")
	hosts := fl.String("allowed-hosts", env("ALLOWED_HOSTS", ""), "comma-separated host names requests may name in Host, besides the -public-url, -addr, -admin-addr and -debug-addr hosts, localhost and IP addresses; * allows every name (env ALLOWED_HOSTS)")
	return func() error {
		for _, d := range durations {
			v, err := time.ParseDuration(*d.raw)
			if err != nil || v <= 0 {
				return fmt.Errorf("-%s: want a positive duration such as %s, got %q", d.name, d.def, *d.raw)
			}
			*d.dst = v
		}
		vals := make([]int64, len(ints))
		for i, n := range ints {
			v, err := strconv.ParseInt(*n.raw, 10, 64)
			if err != nil || v < 0 || v == 0 && n.name != "max-conns-per-ip" || n.name == "client-net-prefix" && v > 128 {
				return fmt.Errorf("-%s: want a positive number such as %d, got %q", n.name, n.def, *n.raw)
			}
			vals[i] = v
		}
		e.MaxHeaderBytes, e.MaxBodyBytes, e.MaxConns, e.MaxConnsPerIP, e.ClientNetPrefix = int(vals[0]), vals[1], int(vals[2]), int(vals[3]), int(vals[4])
		var err error
		if e.TrustedProxies, err = parsePrefixes(splitList(*proxies)); err != nil {
			return fmt.Errorf("-trusted-proxies: %w", err)
		}
		if e.ClientIPHeader = strings.TrimSpace(e.ClientIPHeader); e.ClientIPHeader == "" && len(e.TrustedProxies) > 0 {
			return fmt.Errorf("-client-ip-header: empty, but -trusted-proxies is set")
		}
		e.AllowedHosts = splitList(*hosts)
		return nil
	}
}

// parsePrefixes parses IPs ("10.0.0.7") and CIDRs ("10.0.0.0/8").
func parsePrefixes(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an IP address nor a CIDR", s)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}
