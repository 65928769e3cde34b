package sessions

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/botforge/dialogd/sessions/redistest"
)

// openClusterStore opens a store on the cluster with its own ClusterClient,
// as one instance of botd would.
func openClusterStore(t *testing.T, c *redistest.Cluster, o Options) *Redis {
	t.Helper()
	opts, err := ParseRedisURL(c.URL())
	if err != nil {
		t.Fatalf("ParseRedisURL(%q): %v", c.URL(), err)
	}
	client := redis.NewUniversalClient(opts)
	if _, ok := client.(*redis.ClusterClient); !ok {
		client.Close()
		t.Fatalf("ParseRedisURL(%q) made a %T; want *redis.ClusterClient", c.URL(), client)
	}
	r := NewRedis(client, o)
	t.Cleanup(func() { r.Close() })
	return r
}

// sessionPerMaster returns one session id per master of the cluster, keyed
// by the master's address, so that a test covers keys on every node.
func sessionPerMaster(t *testing.T, c *redistest.Cluster, r *Redis) map[string]string {
	t.Helper()
	ctx := context.Background()
	cc := c.Client(t)
	ids := map[string]string{}
	for i := 0; len(ids) < len(c.Addrs); i++ {
		if i > 1000 {
			t.Fatalf("1000 session ids landed on only %d of %d masters: %v", len(ids), len(c.Addrs), ids)
		}
		id := fmt.Sprintf("%s-%d-%d", t.Name(), time.Now().UnixNano(), i)
		node, err := cc.MasterForKey(ctx, r.keys(id)[0])
		if err != nil {
			t.Fatalf("MasterForKey: %v", err)
		}
		if _, seen := ids[node.Options().Addr]; !seen {
			ids[node.Options().Addr] = id
		}
	}
	return ids
}

// waitWaiting returns once r's wake hub is subscribed and the session's
// lock counts at least one waiter. From then on a waiter of r sleeps until
// woken or until the holder's lease runs out; it no longer polls.
func waitWaiting(t *testing.T, c *redistest.Cluster, r *Redis, id string) {
	t.Helper()
	cc := c.Client(t)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		r.waiters.mu.Lock()
		up := r.waiters.subscribed
		r.waiters.mu.Unlock()
		w, _ := cc.HGet(context.Background(), r.keys(id)[0], "w").Int()
		if up && w >= 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 10s: wake hub subscribed = %v, waiters on the lock = %d; want true, >= 1", up, w)
		}
	}
}

// TestRedisClusterTwoInstancesIntegration: two stores (two instances) on a
// 3-master cluster. For a session on each master, one instance's turn
// waits for the other's, is woken through the wake hub's pub/sub
// subscription well before the holder's lease would run out, and sees
// the holder's commit; the Bus carries a frame from one to the other.
func TestRedisClusterTwoInstancesIntegration(t *testing.T) {
	c := redistest.StartCluster(t)
	const lease = 3 * time.Second
	a := openClusterStore(t, c, Options{LockTTL: lease})
	b := openClusterStore(t, c, Options{LockTTL: lease})
	ctx := context.Background()

	ids := sessionPerMaster(t, c, a)
	for i, master := range c.Addrs {
		id := ids[master]
		t.Run(fmt.Sprintf("SerializedTurnsOnMaster%d", i+1), func(t *testing.T) {
			held, err := a.Acquire(ctx, id)
			if err != nil {
				t.Fatalf("instance A: Acquire: %v", err)
			}
			type result struct {
				l   Lease
				err error
				at  time.Time
			}
			got := make(chan result, 1)
			go func() {
				wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				defer cancel()
				l, err := b.Acquire(wctx, id)
				got <- result{l, err, time.Now()}
			}()
			waitWaiting(t, c, b, id)
			select {
			case r := <-got:
				t.Fatalf("instance B acquired while A holds the session: lease %v, err %v", r.l, r.err)
			default:
			}
			released := time.Now()
			if err := held.Commit(ctx, []byte("by A"), nil); err != nil {
				t.Fatalf("instance A: Commit: %v", err)
			}
			r := <-got
			if r.err != nil {
				t.Fatalf("instance B: Acquire: %v", r.err)
			}
			defer r.l.Release(ctx)
			// Without the wake message B would sleep until A's lease ran
			// out: at least 2/3 of it, since A renews every third.
			waited := r.at.Sub(released)
			t.Logf("session on %s: instance B acquired %v after A committed", master, waited)
			if most := lease / 3; waited > most {
				t.Errorf("instance B acquired %v after A committed; want within %v (woken by pub/sub, not by lease expiry)", waited, most)
			}
			if got, want := string(r.l.State()), "by A"; got != want {
				t.Errorf("instance B: State() = %q; want %q (A's commit)", got, want)
			}
			if r.l.Fence() <= held.Fence() {
				t.Errorf("instance B: Fence() = %d; want > A's %d", r.l.Fence(), held.Fence())
			}
		})
	}

	t.Run("BusAcrossInstances", func(t *testing.T) {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		got := make(chan string, 1)
		ready := make(chan struct{})
		errc := make(chan error, 1)
		go func() {
			errc <- b.subscribe(sctx, func(s string, frames [][]byte) {
				select {
				case got <- fmt.Sprintf("%s:%d:%s", s, len(frames), frames[0]):
				default:
				}
			}, func() { close(ready) })
		}()
		select {
		case <-ready:
		case err := <-errc:
			t.Fatalf("instance B: Subscribe: %v", err)
		}
		if err := a.Publish(sctx, "sess-bus", [][]byte{[]byte(`{"seq":1}`)}); err != nil {
			t.Fatalf("instance A: Publish: %v", err)
		}
		select {
		case s := <-got:
			if want := `sess-bus:1:{"seq":1}`; s != want {
				t.Errorf("instance B received %q; want %q", s, want)
			}
		case <-sctx.Done():
			t.Fatal("instance B received nothing within 10s of A's Publish")
		}
	})
}
