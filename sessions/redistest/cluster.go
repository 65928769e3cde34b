package redistest

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// clusterMasters is how many masters StartCluster runs: the fewest Redis
// Cluster accepts.
const clusterMasters = 3

// clusterTimeout bounds how long StartCluster waits for every node to
// report cluster_state:ok after the cluster is created.
const clusterTimeout = 20 * time.Second

// Cluster is a Redis Cluster of three masters and no replicas on
// loopback, owned by a test.
type Cluster struct {
	// Addrs are the masters' "127.0.0.1:port" addresses.
	Addrs []string

	nodes []*clusterNode
}

// StartCluster runs three redis-server processes in cluster mode on free
// 127.0.0.1 ports (persistence off), joins them into one cluster with
// `redis-cli --cluster create` (the 16384 slots split between them) and
// waits until every node reports cluster_state:ok. The test's cleanup
// stops the processes. Like Start it fails the test when redis-server or
// redis-cli is missing, and skips it under -short.
func StartCluster(tb testing.TB) *Cluster {
	tb.Helper()
	SkipShort(tb)
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Fatalf("redistest: redis-server is not on PATH (%v); run `make deps` (or apt-get install redis-server) to install it", err)
	}
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		tb.Fatalf("redistest: redis-cli is not on PATH (%v); run `make deps` (or apt-get install redis-server) to install it", err)
	}
	c := &Cluster{}
	for range clusterMasters {
		n := startNode(tb, bin)
		c.nodes = append(c.nodes, n)
		c.Addrs = append(c.Addrs, n.Addr)
	}
	args := append([]string{"--cluster", "create"}, c.Addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	ctx, cancel := context.WithTimeout(context.Background(), clusterTimeout)
	defer cancel()
	if out, err := exec.CommandContext(ctx, cli, args...).CombinedOutput(); err != nil {
		tb.Fatalf("redistest: redis-cli --cluster create: %v\n%s", err, tailString(out))
	}
	for _, n := range c.nodes {
		if err := waitClusterOK(ctx, n.Addr); err != nil {
			tb.Fatalf("redistest: %v", err)
		}
	}
	return c
}

// clusterNode is one redis-server process of a Cluster.
type clusterNode struct {
	Addr string
	cmd  *exec.Cmd
	exit chan struct{} // closed when cmd has exited
}

// startNode starts one cluster-mode node on a free port and waits until it
// answers PING. Its cluster bus listens on the port plus 10000, so both
// must be free; another process may take them first, so it tries a few.
func startNode(tb testing.TB, bin string) *clusterNode {
	tb.Helper()
	dir := tb.TempDir()
	var lastErr error
	for range 10 {
		port, err := freeClusterPort()
		if err != nil {
			lastErr = err
			continue
		}
		n, err := runNode(bin, dir, port)
		if err == nil {
			tb.Cleanup(n.stop)
			return n
		}
		lastErr = err
	}
	tb.Fatalf("redistest: cluster node: %v", lastErr)
	return nil
}

func runNode(bin, dir string, port int) (*clusterNode, error) {
	p := strconv.Itoa(port)
	logFile := filepath.Join(dir, "redis-"+p+".log")
	cmd := exec.Command(bin,
		"--port", p,
		"--bind", "127.0.0.1",
		"--cluster-enabled", "yes",
		"--cluster-config-file", filepath.Join(dir, "nodes-"+p+".conf"),
		"--save", "",
		"--appendonly", "no",
		"--dir", dir,
		"--logfile", logFile,
		"--daemonize", "no",
	)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	n := &clusterNode{Addr: net.JoinHostPort("127.0.0.1", p), cmd: cmd, exit: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(n.exit)
	}()
	for deadline := time.Now().Add(startTimeout); ; time.Sleep(20 * time.Millisecond) {
		if ping(n.Addr) == nil {
			return n, nil
		}
		select {
		case <-n.exit:
			return nil, fmt.Errorf("redis-server on port %d exited before answering PING; log: %s", port, logTail(logFile))
		default:
		}
		if time.Now().After(deadline) {
			n.stop()
			return nil, fmt.Errorf("redis-server on port %d did not answer PING within %v; log: %s", port, startTimeout, logTail(logFile))
		}
	}
}

// stop kills the node's process, by its PID, and waits for it to exit.
func (n *clusterNode) stop() {
	_ = n.cmd.Process.Kill()
	<-n.exit
}

// freeClusterPort returns a free port whose cluster bus port (plus 10000)
// is free too.
func freeClusterPort() (int, error) {
	port, err := freePort()
	if err != nil {
		return 0, err
	}
	if port+10000 > 65535 {
		return 0, fmt.Errorf("port %d leaves no room for its cluster bus port", port)
	}
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port+10000)))
	if err != nil {
		return 0, fmt.Errorf("cluster bus port %d: %w", port+10000, err)
	}
	l.Close()
	return port, nil
}

// waitClusterOK polls CLUSTER INFO on addr until it says cluster_state:ok.
func waitClusterOK(ctx context.Context, addr string) error {
	c := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: time.Second, ReadTimeout: time.Second})
	defer c.Close()
	var last string
	for {
		info, err := c.ClusterInfo(ctx).Result()
		if err == nil && strings.Contains(info, "cluster_state:ok") {
			return nil
		}
		if err != nil {
			last = err.Error()
		} else {
			last = strings.TrimSpace(strings.SplitN(info, "\n", 2)[0])
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("cluster node %s not ok within %v (last: %s)", addr, clusterTimeout, last)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// URL returns the cluster's URL in the form sessions.ParseRedisURL takes
// for a cluster: redis://h1:p1,h2:p2,h3:p3.
func (c *Cluster) URL() string { return "redis://" + strings.Join(c.Addrs, ",") }

// Client returns a new cluster client that the test's cleanup closes.
func (c *Cluster) Client(tb testing.TB) *redis.ClusterClient {
	tb.Helper()
	cc := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs:        c.Addrs,
		DialTimeout:  2 * time.Second,
		ReadTimeout:  2 * time.Second,
		WriteTimeout: 2 * time.Second,
	})
	tb.Cleanup(func() { cc.Close() })
	return cc
}

func tailString(b []byte) string {
	if len(b) > 1000 {
		b = b[len(b)-1000:]
	}
	return strings.TrimSpace(string(b))
}
