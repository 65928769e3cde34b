package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/botforge/dialogd/sessions/redistest"
)

// The flood experiment of issue 11 item 2: botd built from this package
// and run as a child (so that /proc/PID counts its descriptors and memory
// alone) gets 2,000 connections that declare a body and never send it, then
// 5,000 WebSockets that upgrade and say nothing, while a prober on another
// address asks /healthz every 100 ms. It logs the figures (go test -v -run
// TestEdgeFloodBounded) and fails when the descriptors are not bounded, a
// probe fails, or the slow connections outlive -read-timeout.

const (
	floodSlowBodies   = 2000
	floodIdleUpgrades = 5000
	floodUpgradeIPs   = 25 // 200 upgrades per source address, under -max-conns-per-ip
	floodReadTimeout  = 3 * time.Second
)

// procStats is a process's open descriptors and resident memory.
type procStats struct {
	fds   int
	rssKB int
}

func readProcStats(t *testing.T, pid int) procStats {
	t.Helper()
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatalf("flood: count descriptors: %v", err)
	}
	st := procStats{fds: len(ents)}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatalf("flood: read status: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			st.rssKB, _ = strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		}
	}
	return st
}

// healthProber asks /healthz from 127.0.0.1 every 100 ms until stopped.
type healthProber struct {
	probes, failures atomic.Int64
	worst            atomic.Int64 // nanoseconds
	stop             chan struct{}
	done             chan struct{}
}

func startHealthProber(addr string) *healthProber {
	p := &healthProber{stop: make(chan struct{}), done: make(chan struct{})}
	client := &http.Client{Timeout: 2 * time.Second}
	go func() {
		defer close(p.done)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-tick.C:
			}
			start := time.Now()
			res, err := client.Get("http://" + addr + "/healthz")
			if err == nil {
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
			p.probes.Add(1)
			if err != nil || res.StatusCode != http.StatusOK {
				p.failures.Add(1)
			}
			if d := int64(time.Since(start)); d > p.worst.Load() {
				p.worst.Store(d)
			}
		}
	}()
	return p
}

func (p *healthProber) finish() string {
	close(p.stop)
	<-p.done
	return fmt.Sprintf("%d probes, %d failed, slowest %v", p.probes.Load(), p.failures.Load(), time.Duration(p.worst.Load()).Round(time.Millisecond))
}

// parallel runs f(i) for i in [0, n) on workers goroutines.
func parallel(n, workers int, f func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				f(i)
			}
		})
	}
	wg.Wait()
}

// waitStats polls the child until ok holds or 30 s pass; it returns the
// last reading.
func waitStats(t *testing.T, pid int, ok func(procStats) bool) (procStats, bool) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		st := readProcStats(t, pid)
		if ok(st) || time.Now().After(deadline) {
			return st, ok(st)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestEdgeFloodBounded(t *testing.T) {
	redistest.SkipShort(t)
	bin := buildBotd(t)
	addr, admin := freeLoopbackAddr(t), freeLoopbackAddr(t)
	proc := startChild(t, "botd", t.TempDir(), bin, []string{"BOT_SECRET_KEY=" + testSecret},
		"-addr", addr, "-admin-addr", admin, "-log-level", "error", "-read-timeout", floodReadTimeout.String())
	waitHealthyAt(t, proc, addr)
	pid := proc.cmd.Process.Pid
	base := readProcStats(t, pid)
	t.Logf("botd at rest: %d descriptors, RSS %d KiB (-max-conns-per-ip %d, -read-timeout %v)", base.fds, base.rssKB, defaultMaxConnsPerIP, floodReadTimeout)

	prober := startHealthProber(addr)
	slow := openSlowBodies(t, addr)
	refused := waitRefused(t, admin, floodSlowBodies-defaultMaxConnsPerIP) // every connection accepted: the peak
	peak := readProcStats(t, pid)
	t.Logf("%d slow-body connections from 127.0.0.2 (opened in %v): botd %d descriptors, RSS %d KiB; refused: %s",
		floodSlowBodies, slow.took.Round(time.Millisecond), peak.fds, peak.rssKB, metricLine(refused, `dialogd_http_refused_total{reason="conns_per_ip"}`))
	if limit := base.fds + defaultMaxConnsPerIP + maxAnswering + 16; peak.fds > limit {
		t.Errorf("slow bodies: botd holds %d descriptors, want at most %d (rest + per-IP cap + refusals in flight)", peak.fds, limit)
	}
	after, ok := waitStats(t, pid, func(st procStats) bool { return st.fds <= base.fds+4 })
	slow.closeAll()
	t.Logf("after -read-timeout: botd %d descriptors (closed the slow connections itself: %v)", after.fds, ok)
	if !ok {
		t.Errorf("slow bodies: botd still holds %d descriptors 30 s later; want them closed at -read-timeout", after.fds)
	}

	one := openIdleUpgrades(t, addr, 1)
	refused = waitRefused(t, admin, floodSlowBodies+floodIdleUpgrades-2*defaultMaxConnsPerIP)
	capped := readProcStats(t, pid)
	t.Logf("%d idle upgrades from 127.0.1.1 alone (opened in %v): %d open, %d closed without a 503; botd %d descriptors, RSS %d KiB; refused: %s",
		floodIdleUpgrades, one.took.Round(time.Millisecond), one.admitted, one.other, capped.fds, capped.rssKB, metricLine(refused, `dialogd_http_refused_total{reason="conns_per_ip"}`))
	if one.admitted != defaultMaxConnsPerIP {
		t.Errorf("idle upgrades from one address: %d open, want the per-IP cap %d", one.admitted, defaultMaxConnsPerIP)
	}
	one.closeAll()
	waitStats(t, pid, func(st procStats) bool { return st.fds <= base.fds+4 })

	idle := openIdleUpgrades(t, addr, floodUpgradeIPs)
	held := readProcStats(t, pid)
	perConn := 0
	if idle.admitted > 0 {
		perConn = (held.rssKB - base.rssKB) / idle.admitted
	}
	t.Logf("%d idle upgrades from %d addresses (opened in %v): %d open; botd %d descriptors, RSS %d KiB (about %d KiB per connection)",
		floodIdleUpgrades, floodUpgradeIPs, idle.took.Round(time.Millisecond), idle.admitted, held.fds, held.rssKB, perConn)
	if limit := base.fds + floodIdleUpgrades + 16; held.fds > limit {
		t.Errorf("idle upgrades: botd holds %d descriptors, want at most %d", held.fds, limit)
	}
	if idle.admitted != floodIdleUpgrades {
		t.Errorf("idle upgrades: %d of %d connected; want all (each address is under its cap)", idle.admitted, floodIdleUpgrades)
	}
	idle.closeAll()
	freed, _ := waitStats(t, pid, func(st procStats) bool { return st.fds <= base.fds+4 })
	t.Logf("after the clients left: botd %d descriptors, RSS %d KiB", freed.fds, freed.rssKB)

	summary := prober.finish()
	t.Logf("/healthz from 127.0.0.1 throughout: %s", summary)
	if prober.failures.Load() > 0 {
		t.Errorf("/healthz failed during the flood: %s", summary)
	}
}

// waitRefused polls the admin /metrics until the per-IP refusals reach
// want (or 10 s pass) and returns the last /metrics body.
func waitRefused(t *testing.T, admin string, want int) string {
	t.Helper()
	name := `dialogd_http_refused_total{reason="conns_per_ip"}`
	deadline := time.Now().Add(10 * time.Second)
	for {
		body := getBody(t, "http://"+admin+"/metrics")
		if metricLine(body, name) == name+" "+strconv.Itoa(want) || time.Now().After(deadline) {
			return body
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// metricLine is the sample of name in a /metrics body.
func metricLine(body, name string) string {
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, name+" ") {
			return line
		}
	}
	return name + " (absent)"
}

// waitHealthyAt waits until the child answers /healthz on addr.
func waitHealthyAt(t *testing.T, c *child, addr string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get("http://" + addr + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-c.exited:
			t.Fatalf("flood: botd exited at start; log:\n%s", c.logTail())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("flood: botd not healthy within 20 s; log:\n%s", c.logTail())
}

// floodConns are the client ends of a flood.
type floodConns struct {
	took     time.Duration // to open them all
	mu       sync.Mutex
	conns    []io.Closer
	admitted int
	other    int // neither upgraded nor refused with 503 (e.g. a reset)
}

func (f *floodConns) add(c io.Closer, admitted bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.conns = append(f.conns, c)
	if admitted {
		f.admitted++
	}
}

func (f *floodConns) closeAll() {
	for _, c := range f.conns {
		c.Close()
	}
}

// openSlowBodies opens floodSlowBodies connections from 127.0.0.2, each
// sending a POST with Content-Length 1000 and no body, and reads nothing:
// botd waits for the body (until -read-timeout) or refuses the connection.
func openSlowBodies(t *testing.T, addr string) *floodConns {
	f := &floodConns{}
	start := time.Now()
	defer func() { f.took = time.Since(start) }()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}, Timeout: 5 * time.Second}
	req := "POST /healthz HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n"
	parallel(floodSlowBodies, 32, func(int) {
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Errorf("flood: dial: %v", err)
			return
		}
		_, _ = io.WriteString(c, req)
		f.add(c, true)
	})
	return f
}

// openIdleUpgrades opens floodIdleUpgrades WebSockets from ips loopback
// addresses; none of them reads or sends anything. A connection refused
// over a cap gets its 503 before the upgrade.
func openIdleUpgrades(t *testing.T, addr string, ips int) *floodConns {
	f := &floodConns{}
	start := time.Now()
	defer func() { f.took = time.Since(start) }()
	origin := http.Header{"Origin": {"http://" + addr}}
	parallel(floodIdleUpgrades, 32, func(i int) {
		src := net.IPv4(127, 0, 1, byte(1+i%ips))
		nd := net.Dialer{LocalAddr: &net.TCPAddr{IP: src}, Timeout: 5 * time.Second}
		d := websocket.Dialer{
			NetDialContext:   func(ctx context.Context, network, a string) (net.Conn, error) { return nd.DialContext(ctx, network, a) },
			HandshakeTimeout: 10 * time.Second,
		}
		ws, res, err := d.Dial("ws://"+addr+"/ws", origin)
		if err != nil {
			if res == nil || res.StatusCode != http.StatusServiceUnavailable {
				f.mu.Lock()
				f.other++
				f.mu.Unlock()
			}
			return
		}
		f.add(ws.NetConn(), true)
	})
	return f
}
