// Command botbench is the WebSocket load test behind `make bench`: it
// starts a private redis-server and a fake Salesforce on 127.0.0.1, runs
// bin/botd with the bench bot, drives the 5-turn "create a lead" dialog
// from many clients (closed loop), then opens idle sessions, and prints
// turns/s, p50/p99 turn latency, server RSS per idle connection (after GC)
// and Redis bytes per session. Every process it starts is stopped by PID;
// every loop is bounded in time.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
	"github.com/redis/go-redis/v9"
)

func main() {
	botd := flag.String("botd", "bin/botd", "botd binary")
	clients := flag.Int("clients", 200, "concurrent clients in the load phase")
	duration := flag.Duration("duration", 10*time.Second, "measured window")
	warmup := flag.Duration("warmup", 3*time.Second, "unmeasured warm-up")
	idle := flag.Int("idle", 2000, "idle sessions in the memory phase (0 skips)")
	store := flag.String("store", "redis", "redis or memory")
	extra := flag.String("botd-args", "", "extra flags for botd, e.g. -debug-addr 127.0.0.1:6060")
	flag.Parse()
	botdExtra = strings.Fields(*extra)
	if err := run(*botd, *clients, *duration, *warmup, *idle, *store); err != nil {
		fmt.Fprintln(os.Stderr, "botbench:", err)
		os.Exit(1)
	}
}

// botdExtra holds the -botd-args flags.
var botdExtra []string

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitPort(addr string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s did not open within %v", addr, d)
}

func stop(cmd *exec.Cmd) {
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

func run(botdPath string, clients int, duration, warmup time.Duration, idleN int, store string) error {
	dir, err := os.MkdirTemp("", "botbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	sf, err := startFakeSalesforce()
	if err != nil {
		return err
	}
	defer sf.Close()

	env := append(os.Environ(), "FAKESF_URL="+sf.URL(), "BOT_SECRET_KEY=botbench-secret-0123456789")
	var rdb *redis.Client
	args := []string{"-bot", "examples/bench", "-log-level", "error", "-demo-api", "off",
		// Each client sends turns back to back, far faster than a person
		// types: lift the channel's turn rate limits.
		"-ws-turn-rate", "1e6", "-ws-turn-burst", "1000000", "-ws-session-turn-rate", "1e6", "-ws-session-turn-burst", "1000000",
		"-ws-ip-turn-rate", "1e6", "-ws-ip-turn-burst", "1000000", "-max-conns-per-ip", "0"}
	if store == "redis" {
		rcmd, raddr, err := startRedis(dir)
		if err != nil {
			return err
		}
		defer stop(rcmd)
		rdb = redis.NewClient(&redis.Options{Addr: raddr})
		defer rdb.Close()
		args = append(args, "-redis", "redis://"+raddr)
	}
	bcmd, target, err := startBotd(botdPath, args, env)
	if err != nil {
		return err
	}
	defer stop(bcmd)

	fmt.Printf("botbench: store=%s clients=%d window=%v warmup=%v on %d CPUs\n", store, clients, duration, warmup, numCPU())
	res, err := load(target, clients, warmup, duration)
	if err != nil {
		return err
	}
	fmt.Printf("load:  %.0f turns/s  p50 %.2f ms  p99 %.2f ms  max %.2f ms  dialogs %d  errors %d  leads %d\n",
		res.tps, ms(res.p50), ms(res.p99), ms(res.max), res.dialogs, res.errors, sf.leads.Load())

	if idleN > 0 {
		return reportIdle(target, idleN, bcmd.Process.Pid, rdb)
	}
	return nil
}

// fakeSalesforce is the create-record endpoint the bench bot calls; it
// counts the leads it was sent.
type fakeSalesforce struct {
	ln    net.Listener
	srv   *http.Server
	leads atomic.Int64
}

func startFakeSalesforce() (*fakeSalesforce, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	sf := &fakeSalesforce{ln: ln}
	sf.srv = &http.Server{Handler: http.HandlerFunc(sf.createLead)}
	go sf.srv.Serve(ln)
	return sf, nil
}

// createLead answers like Salesforce's create call with the next lead id.
func (sf *fakeSalesforce) createLead(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	n := sf.leads.Add(1)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(201)
	fmt.Fprintf(w, `{"id":"00Q%015d","success":true,"errors":[]}`, n)
}

func (sf *fakeSalesforce) URL() string { return "http://" + sf.ln.Addr().String() }

func (sf *fakeSalesforce) Close() error { return sf.srv.Close() }

// startRedis starts a private, non-persistent redis-server with its files
// in dir and returns it with its address once it accepts connections.
func startRedis(dir string) (*exec.Cmd, string, error) {
	raddr, err := freeAddr()
	if err != nil {
		return nil, "", err
	}
	_, port, _ := net.SplitHostPort(raddr)
	rcmd := exec.Command("redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir)
	if err := rcmd.Start(); err != nil {
		return nil, "", fmt.Errorf("start redis-server (make deps installs it): %w", err)
	}
	if err := waitPort(raddr, 10*time.Second); err != nil {
		stop(rcmd)
		return nil, "", err
	}
	return rcmd, raddr, nil
}

// startBotd starts botd with args (plus -addr and -botd-args) and returns
// it with its WebSocket URL once it listens.
func startBotd(botdPath string, args, env []string) (*exec.Cmd, string, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, "", err
	}
	bcmd := exec.Command(botdPath, append(append(args, "-addr", addr), botdExtra...)...)
	bcmd.Env = env
	bcmd.Stderr = os.Stderr
	if err := bcmd.Start(); err != nil {
		return nil, "", fmt.Errorf("start %s (run make build): %w", botdPath, err)
	}
	if err := waitPort(addr, 15*time.Second); err != nil {
		stop(bcmd)
		return nil, "", err
	}
	return bcmd, "ws://" + addr + "/ws", nil
}

// reportIdle runs the idle phase and prints its figures.
func reportIdle(target string, idleN, pid int, rdb *redis.Client) error {
	perConn, redisPer, err := idlePhase(target, idleN, pid, rdb)
	if err != nil {
		return err
	}
	fmt.Printf("idle:  %d sessions  server RSS %.1f KiB per idle connection (after GC)", idleN, perConn/1024)
	if rdb != nil {
		fmt.Printf("  Redis %.0f bytes per session (mid-dialog)", redisPer)
	}
	fmt.Println()
	return nil
}

func numCPU() int { return runtimeNumCPU() }

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

type loadResult struct {
	tps           float64
	p50, p99, max time.Duration
	dialogs       int64
	errors        int64
}

type wsClient struct {
	conn *websocket.Conn
	n    int
}

func connect(target string) (*wsClient, error) {
	conn, _, err := websocket.DefaultDialer.Dial(target, nil)
	if err != nil {
		return nil, err
	}
	c := &wsClient{conn: conn}
	if _, _, err := c.readEnd(true); err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

// readEnd reads to the session frame (first) or the frame ending a turn.
func (c *wsClient) readEnd(session bool) (string, string, error) {
	c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, data, err := c.conn.ReadMessage()
		if err != nil {
			return "", "", err
		}
		var f struct{ Type, Text, Input, Code string }
		if err := json.Unmarshal(data, &f); err != nil {
			return "", "", err
		}
		switch {
		case session && f.Type == "session":
			return "", "", nil
		case f.Type == "error":
			return "", "", errors.New("error frame: " + f.Code)
		case !session && f.Type == "message" && f.Input != "ignoring":
			return f.Text, f.Input, nil
		}
	}
}

func (c *wsClient) turn(text string) (string, error) {
	c.n++
	msg := `{"type":"message","id":"c-` + strconv.Itoa(c.n) + `","text":` + strconv.Quote(text) + `}`
	c.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if err := c.conn.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
		return "", err
	}
	t, _, err := c.readEnd(false)
	return t, err
}

func dialog(id, k int) []string {
	return []string{"create a lead", fmt.Sprintf("Ann%d", id), fmt.Sprintf("Lee%d", k), fmt.Sprintf("Acme %d", id), fmt.Sprintf("ann%d.%d@example.com", id, k)}
}

func load(target string, clients int, warmup, window time.Duration) (*loadResult, error) {
	start := time.Now()
	measureFrom := start.Add(warmup)
	end := measureFrom.Add(window)
	var mu sync.Mutex
	var lat []time.Duration
	var turns, dialogs, errs atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			local := make([]time.Duration, 0, 4096)
			defer func() { mu.Lock(); lat = append(lat, local...); mu.Unlock() }()
			var c *wsClient
			for k := 0; time.Now().Before(end); k++ {
				if c == nil {
					var err error
					if c, err = connect(target); err != nil {
						errs.Add(1)
						time.Sleep(100 * time.Millisecond)
						continue
					}
				}
				ok := true
				for j, text := range dialog(id, k) {
					t0 := time.Now()
					reply, err := c.turn(text)
					d := time.Since(t0)
					if err != nil || (j == 4 && !strings.HasPrefix(reply, "Created lead ")) {
						errs.Add(1)
						c.conn.Close()
						c, ok = nil, false
						break
					}
					if t0.After(measureFrom) && t0.Before(end) {
						turns.Add(1)
						local = append(local, d)
					}
				}
				if ok && time.Now().After(measureFrom) {
					dialogs.Add(1)
				}
			}
			if c != nil {
				c.conn.Close()
			}
		}(i)
	}
	wg.Wait()
	if len(lat) == 0 {
		return nil, fmt.Errorf("no turn completed (%d errors)", errs.Load())
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	q := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))] }
	return &loadResult{
		tps: float64(turns.Load()) / window.Seconds(), p50: q(.5), p99: q(.99), max: lat[len(lat)-1],
		dialogs: dialogs.Load(), errors: errs.Load(),
	}, nil
}

// idlePhase opens n sessions that each do three turns (mid-dialog) and
// stay open, then reads the server's RSS after forced GCs (SIGUSR2) and
// Redis's memory, against the figures before.
func idlePhase(target string, n, pid int, rdb *redis.Client) (perConn, redisPer float64, err error) {
	ctx := context.Background()
	if rdb != nil {
		rdb.FlushAll(ctx)
	}
	before, err := gcRSS(pid)
	if err != nil {
		return 0, 0, err
	}
	rBefore := redisUsedMemory(ctx, rdb)
	conns, failed := openIdleSessions(target, n)
	defer func() {
		for _, c := range conns {
			c.conn.Close()
		}
	}()
	if failed > 0 {
		return 0, 0, fmt.Errorf("%d idle sessions failed", failed)
	}
	time.Sleep(time.Second)
	after, err := gcRSS(pid)
	if err != nil {
		return 0, 0, err
	}
	rAfter := redisUsedMemory(ctx, rdb)
	return float64(after-before) / float64(n), float64(rAfter-rBefore) / float64(n), nil
}

// gcRSS is the lowest RSS of pid over six forced GCs (SIGUSR2), half a
// second apart.
func gcRSS(pid int) (int64, error) {
	best := int64(-1)
	for i := 0; i < 6; i++ {
		syscall.Kill(pid, syscall.SIGUSR2)
		time.Sleep(500 * time.Millisecond)
		r, err := rss(pid)
		if err != nil {
			return 0, err
		}
		if best < 0 || r < best {
			best = r
		}
	}
	return best, nil
}

// redisUsedMemory is Redis's used_memory in bytes, 0 without Redis.
func redisUsedMemory(ctx context.Context, rdb *redis.Client) int64 {
	if rdb == nil {
		return 0
	}
	info, _ := rdb.Info(ctx, "memory").Result()
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
			x, _ := strconv.ParseInt(v, 10, 64)
			return x
		}
	}
	return 0
}

// openIdleSessions opens n sessions, 50 at a time, each three turns into
// the dialog, and returns the open ones and how many failed.
func openIdleSessions(target string, n int) ([]*wsClient, int64) {
	conns := make([]*wsClient, 0, n)
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 50)
	var failed atomic.Int64
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := openMidDialog(target, i)
			if err != nil {
				failed.Add(1)
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	return conns, failed.Load()
}

// openMidDialog connects and says the first three lines of client i's
// dialog; on failure the connection is closed.
func openMidDialog(target string, i int) (*wsClient, error) {
	c, err := connect(target)
	if err != nil {
		return nil, err
	}
	for _, text := range dialog(i, 0)[:3] {
		if _, err := c.turn(text); err != nil {
			c.conn.Close()
			return nil, err
		}
	}
	return c, nil
}

// rss reads VmRSS of pid in bytes.
func rss(pid int) (int64, error) {
	f, err := os.Open(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, errors.New("no VmRSS")
}

func runtimeNumCPU() int { return goruntime.NumCPU() }
