package main

import (
	"io"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"
)

// Reasons a connection or request is refused at the edge: the values of
// dialogd_http_refused_total's reason label.
const (
	refusedConnsGlobal = "conns_global" // -max-conns reached
	refusedConnsPerIP  = "conns_per_ip" // -max-conns-per-ip reached
	refusedHost        = "host"         // Host not in the allowlist
	refusedBodyTooBig  = "body_too_large"
)

// connLimiter is botd's listener. It counts open connections, in all and
// per client IP, and answers a connection over either cap at once with a
// canned 503 and closes it, so that the file descriptors botd holds stay
// bounded and a flood costs it almost nothing. (net/netutil's
// LimitListener would stop accepting instead, which leaves every other
// client, health checks included, waiting in the kernel's queue.)
//
// A connection from a trusted proxy is not counted against the proxy's own
// IP; the client the proxy names is counted when its request arrives
// (claimClient).
//
// One "IP" is an IPv4 address, or an IPv6 network of ipv6Bits (a /64 by
// default: one host commonly holds a whole /64, and would otherwise get
// the cap once per address it picks).
type connLimiter struct {
	net.Listener
	maxTotal int
	maxPerIP int // 0: no per-IP cap
	ipv6Bits int // prefix length of an IPv6 client
	trusted  []netip.Prefix
	refused  func(reason string) // counts a refusal
	opened   func(delta int)     // tracks the open connections

	mu    sync.Mutex
	total int
	perIP map[netip.Prefix]int // by clientKey

	// answering bounds the refusals that wait for the client to read
	// the 503 before closing; beyond it a refusal closes at once.
	answering chan struct{}
}

// refuseWait bounds the time a refused connection is kept for its 503.
const refuseWait = time.Second

// maxAnswering is how many refused connections may wait at once.
const maxAnswering = 64

func newConnLimiter(ln net.Listener, maxTotal, maxPerIP, ipv6Bits int, trusted []netip.Prefix, refused func(string), opened func(int)) *connLimiter {
	return &connLimiter{
		Listener: ln, maxTotal: maxTotal, maxPerIP: maxPerIP, ipv6Bits: ipv6Bits, trusted: trusted,
		refused: refused, opened: opened,
		perIP:     map[netip.Prefix]int{},
		answering: make(chan struct{}, maxAnswering),
	}
}

// Accept returns the next connection within the caps; it answers and
// closes the ones over them itself.
func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		peer := addrIP(c.RemoteAddr())
		if reason := l.admit(peer); reason != "" {
			l.refuse(c, reason)
			continue
		}
		l.opened(1)
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetReadBuffer(socketReadBuffer)
		}
		return &limitedConn{Conn: c, lim: l, peer: peer}, nil
	}
}

// socketReadBuffer is each connection's kernel receive buffer (Linux
// doubles it). Chat frames and requests are small; a fixed buffer keeps a
// client that sends faster than botd reads (a flood the WebSocket channel
// reads at its rate limit's pace) from filling megabytes of the server's
// memory, and holds what it sends in its own socket instead.
const socketReadBuffer = 32 << 10

// admit counts a new connection from peer, or says which cap it exceeds.
func (l *connLimiter) admit(peer netip.Addr) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.total >= l.maxTotal {
		return refusedConnsGlobal
	}
	if !l.isTrusted(peer) {
		key := l.clientKey(peer)
		if l.maxPerIP > 0 && l.perIP[key] >= l.maxPerIP {
			return refusedConnsPerIP
		}
		l.perIP[key]++
	}
	l.total++
	return ""
}

// clientKey is what -max-conns-per-ip counts ip's connections under: an
// IPv4 address (IPv4-mapped IPv6 taken as IPv4) on its own, an IPv6
// address by its network of ipv6Bits. The zero Prefix for the zero Addr.
func (l *connLimiter) clientKey(ip netip.Addr) netip.Prefix {
	if !ip.IsValid() {
		return netip.Prefix{}
	}
	ip = ip.Unmap().WithZone("")
	bits := ip.BitLen()
	if ip.Is6() {
		bits = min(l.ipv6Bits, bits)
	}
	p, _ := ip.Prefix(bits)
	return p
}

func (l *connLimiter) isTrusted(ip netip.Addr) bool {
	for _, p := range l.trusted {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// swapClient moves a trusted proxy's connection from client old to client
// new (either may be the zero Addr: none). It reports false, changing
// nothing, when new is at its cap.
func (l *connLimiter) swapClient(old, new netip.Addr) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if new.IsValid() {
		key := l.clientKey(new)
		if l.maxPerIP > 0 && l.perIP[key] >= l.maxPerIP {
			return false
		}
		l.perIP[key]++
	}
	l.forgetLocked(old)
	return true
}

// release forgets a closed connection of peer and, through a trusted
// proxy, of client.
func (l *connLimiter) release(peer, client netip.Addr) {
	l.mu.Lock()
	l.total--
	if !l.isTrusted(peer) {
		l.forgetLocked(peer)
	}
	l.forgetLocked(client)
	l.mu.Unlock()
	l.opened(-1)
}

func (l *connLimiter) forgetLocked(ip netip.Addr) {
	if !ip.IsValid() {
		return
	}
	key := l.clientKey(ip)
	if l.perIP[key] <= 1 {
		delete(l.perIP, key)
		return
	}
	l.perIP[key]--
}

// refuse answers c with a 503 and closes it. While few refusals are in
// flight, it lets the client read the answer (half-close, then drain
// briefly); under a flood it closes at once.
func (l *connLimiter) refuse(c net.Conn, reason string) {
	l.refused(reason)
	select {
	case l.answering <- struct{}{}:
		go func() {
			defer func() { <-l.answering }()
			answerRefused(c, reason, true)
		}()
	default:
		answerRefused(c, reason, false)
	}
}

// refusedAnswers are the canned answers to a connection over a cap.
var refusedAnswers = map[string]string{
	refusedConnsGlobal: cannedResponse("503 Service Unavailable", "botd: the server has too many open connections; try again later\n"),
	refusedConnsPerIP:  cannedResponse("503 Service Unavailable", "botd: too many open connections from your address; close some and try again later\n"),
}

func cannedResponse(status, body string) string {
	return "HTTP/1.1 " + status + "\r\nContent-Type: text/plain; charset=utf-8\r\nRetry-After: 5\r\nConnection: close\r\n" +
		"X-Content-Type-Options: nosniff\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
}

func answerRefused(c net.Conn, reason string, linger bool) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(refuseWait))
	if _, err := io.WriteString(c, refusedAnswers[reason]); err != nil || !linger {
		return
	}
	// Closing with the request unread would reset the connection, and the
	// client might lose the answer: half-close and read what it sent.
	if hc, ok := c.(interface{ CloseWrite() error }); ok {
		_ = hc.CloseWrite()
		_, _ = io.Copy(io.Discard, io.LimitReader(c, 16<<10))
	}
}

// addrIP is the IP of a TCP address (IPv4-mapped IPv6 as IPv4); the zero
// Addr for anything else.
func addrIP(a net.Addr) netip.Addr {
	if ta, ok := a.(*net.TCPAddr); ok {
		ip, _ := netip.AddrFromSlice(ta.IP)
		return ip.Unmap()
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

// limitedConn is a connection connLimiter admitted. Closing it, hijacked
// (a WebSocket) or not, releases its place.
type limitedConn struct {
	net.Conn
	lim  *connLimiter
	peer netip.Addr

	mu     sync.Mutex
	client netip.Addr // named by a trusted proxy; zero when none
	closed bool
}

// claimClient counts the connection against client, the IP a trusted
// proxy named for its current request. It reports false when client is at
// its cap.
func (c *limitedConn) claimClient(client netip.Addr) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.lim.clientKey(c.client) == c.lim.clientKey(client) {
		return true
	}
	if !c.lim.swapClient(c.client, client) {
		return false
	}
	c.client = client
	return true
}

func (c *limitedConn) Close() error {
	c.mu.Lock()
	first := !c.closed
	c.closed = true
	client := c.client
	c.mu.Unlock()
	if first {
		c.lim.release(c.peer, client)
	}
	return c.Conn.Close()
}
