package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/botforge/dialogd/sessions"

	"github.com/redis/go-redis/v9"
)

// The processes of the fault suite (faults_test.go): botd built from this
// package and run as a child, and a redis-server with AOF on. Every
// process listens on 127.0.0.1 and is stopped by its own PID.

// faultsEnabled skips the fault suite unless FAULTS=1 (make faults): it
// runs two botd processes and a redis-server for about a minute.
func faultsEnabled(t *testing.T) {
	t.Helper()
	if testing.Short() || os.Getenv("FAULTS") != "1" {
		t.Skip("fault suite: set FAULTS=1 (make faults) to run it")
	}
}

// freeLoopbackAddr is a 127.0.0.1 address with a port free right now.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("faults: find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().String()
}

// buildBotd builds this package's binary into a temporary directory.
func buildBotd(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "botd")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("faults: go build: %v\n%s", err, out)
	}
	return bin
}

// child is one process the suite started; its output goes to logPath.
type child struct {
	name    string
	cmd     *exec.Cmd
	exited  chan struct{}
	logPath string
}

// startChild starts bin with args and extra environment variables, its
// output in a log file in dir. The test's cleanup kills it by its PID.
func startChild(t *testing.T, name, dir, bin string, env []string, args ...string) *child {
	t.Helper()
	logPath := filepath.Join(dir, name+".log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("faults: start %s: %v", name, err)
	}
	c := &child{name: name, cmd: cmd, exited: make(chan struct{}), logPath: logPath}
	go func() {
		_ = cmd.Wait()
		close(c.exited)
	}()
	t.Cleanup(func() { c.signal(syscall.SIGKILL) })
	return c
}

// signal sends sig to the child's PID and waits until it has exited.
func (c *child) signal(sig syscall.Signal) {
	select {
	case <-c.exited:
		return
	default:
	}
	_ = c.cmd.Process.Signal(sig)
	<-c.exited
}

// logLines counts the lines of the child's log that contain s.
func (c *child) logLines(s string) int {
	b, _ := os.ReadFile(c.logPath)
	return bytes.Count(b, []byte(s))
}

// logTail is the end of the child's log, for a failure message.
func (c *child) logTail() string {
	b, _ := os.ReadFile(c.logPath)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// botdProc is one botd of the suite.
type botdProc struct {
	*child
	addr string
}

// startBotdProc runs bin on addr with the shared Redis and demo API, and
// waits until /readyz answers 200. Extra flags come after the suite's own
// (a later one wins).
func startBotdProc(t *testing.T, name, dir, bin, addr, redisURL string, env []string, extra ...string) *botdProc {
	t.Helper()
	// Every simulated user connects from 127.0.0.1, as one client address:
	// the per-address limits, meant for one person or one host, are lifted.
	args := []string{"-addr", addr, "-redis", redisURL, "-log-level", "warn",
		"-ws-ip-turn-rate", "1e6", "-ws-ip-turn-burst", "1000000", "-max-conns-per-ip", "0"}
	c := startChild(t, name, dir, bin, env, append(args, extra...)...)
	p := &botdProc{child: c, addr: addr}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case <-c.exited:
			t.Fatalf("faults: %s exited at start; log:\n%s", name, c.logTail())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("faults: %s not ready within 20s; log:\n%s", name, c.logTail())
	return nil
}

// aofRedis is a redis-server with AOF on (appendfsync as asked) that can
// be stopped with SIGTERM and started again on the same port and data.
type aofRedis struct {
	t     *testing.T
	addr  string
	fsync string // appendfsync: everysec or always
	dir   string
	proc  *child
	runs  int
}

func startAOFRedis(t *testing.T, fsync string) *aofRedis {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatalf("faults: redis-server is not on PATH (%v); run `make deps`", err)
	}
	r := &aofRedis{t: t, addr: freeLoopbackAddr(t), dir: t.TempDir(), fsync: fsync}
	r.start()
	return r
}

func (r *aofRedis) url() string { return "redis://" + r.addr }

// start runs redis-server on r's port and data directory and waits for PING.
func (r *aofRedis) start() {
	r.t.Helper()
	_, port, _ := net.SplitHostPort(r.addr)
	r.runs++
	bin, _ := exec.LookPath("redis-server")
	r.proc = startChild(r.t, "redis-"+strconv.Itoa(r.runs), r.dir, bin, nil,
		"--port", port, "--bind", "127.0.0.1", "--dir", r.dir, "--save", "",
		"--appendonly", "yes", "--appendfsync", r.fsync, "--daemonize", "no")
	c := redis.NewClient(&redis.Options{Addr: r.addr, DialTimeout: time.Second})
	defer c.Close()
	deadline := time.Now().Add(15 * time.Second)
	for c.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			r.t.Fatalf("faults: redis-server on %s not answering; log:\n%s", r.addr, r.proc.logTail())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// terminate stops redis-server with SIGTERM (it writes its AOF and exits).
func (r *aofRedis) terminate() { r.proc.signal(syscall.SIGTERM) }

// lockKeys lists the session lock keys in Redis.
func (r *aofRedis) lockKeys(ctx context.Context) ([]string, error) {
	c := redis.NewClient(&redis.Options{Addr: r.addr})
	defer c.Close()
	var keys []string
	// Session locks only (sessions.DefaultPrefix, a session id in braces):
	// the presence sync's poll lock is held on purpose.
	iter := c.Scan(ctx, 0, sessions.DefaultPrefix+"{*}:lock", 1000).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		return nil, fmt.Errorf("faults: scan lock keys: %w", err)
	}
	return keys, nil
}

// envList turns pairs into KEY=VALUE entries.
func envList(kv map[string]string) []string {
	var out []string
	for k, v := range kv {
		out = append(out, k+"="+v)
	}
	return out
}
