package redistest_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/botforge/dialogd/sessions/redistest"
	"github.com/redis/go-redis/v9"
)

// TestStartCluster: three masters that share the slots, reachable at the
// URL's addresses, and stopped by the test's cleanup.
func TestStartCluster(t *testing.T) {
	var addrs []string
	t.Run("Running", func(t *testing.T) {
		c := redistest.StartCluster(t)
		addrs = c.Addrs
		if got, want := c.URL(), "redis://"+strings.Join(c.Addrs, ","); got != want {
			t.Errorf("URL() = %q; want %q", got, want)
		}
		if len(c.Addrs) != 3 {
			t.Fatalf("Addrs = %q; want 3 addresses", c.Addrs)
		}
		ctx := context.Background()
		for _, addr := range c.Addrs {
			rdb := redis.NewClient(&redis.Options{Addr: addr})
			info, err := rdb.ClusterInfo(ctx).Result()
			rdb.Close()
			if err != nil {
				t.Fatalf("CLUSTER INFO on %s: %v", addr, err)
			}
			for _, want := range []string{"cluster_state:ok", "cluster_size:3", "cluster_known_nodes:3", "cluster_slots_assigned:16384"} {
				if !strings.Contains(info, want) {
					t.Errorf("CLUSTER INFO on %s lacks %q:\n%s", addr, want, info)
				}
			}
		}
		cc := c.Client(t)
		masters := map[string]bool{}
		for _, k := range []string{"{a}", "{b}", "{c}", "{d}", "{e}", "{f}", "{g}", "{h}"} {
			if err := cc.Set(ctx, k, "v", 0).Err(); err != nil {
				t.Fatalf("SET %s: %v", k, err)
			}
			node, err := cc.MasterForKey(ctx, k)
			if err != nil {
				t.Fatalf("MasterForKey(%s): %v", k, err)
			}
			masters[node.Options().Addr] = true
		}
		if len(masters) < 2 {
			t.Errorf("8 keys landed on masters %v; want more than one", masters)
		}
	})
	for _, addr := range addrs {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			t.Errorf("dial %s after the cleanup succeeded; want connection refused", addr)
		}
	}
}
