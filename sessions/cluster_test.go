package sessions_test

import (
	"testing"

	"github.com/botforge/dialogd/sessions"
	"github.com/botforge/dialogd/sessions/redistest"
	"github.com/botforge/dialogd/sessions/storetest"
	"github.com/redis/go-redis/v9"
)

// openCluster returns an opener of stores on the cluster, each with its own
// ClusterClient, as separate processes would have.
func openCluster(c *redistest.Cluster) func(t *testing.T) sessions.Store {
	return func(t *testing.T) sessions.Store {
		t.Helper()
		opts, err := sessions.ParseRedisURL(c.URL())
		if err != nil {
			t.Fatalf("ParseRedisURL(%q): %v", c.URL(), err)
		}
		client := redis.NewUniversalClient(opts)
		if _, ok := client.(*redis.ClusterClient); !ok {
			client.Close()
			t.Fatalf("ParseRedisURL(%q) made a %T; want *redis.ClusterClient", c.URL(), client)
		}
		s := sessions.NewRedis(client, storetest.Options)
		t.Cleanup(func() { s.Close() })
		return s
	}
}

// TestRedisClusterIntegration runs the conformance suite against a store on
// a 3-master Redis Cluster, and turns of one session spread over two
// stores (two instances) on it.
func TestRedisClusterIntegration(t *testing.T) {
	c := redistest.StartCluster(t)
	open := openCluster(c)
	storetest.Run(t, open)

	t.Run("CounterAcrossTwoClients", func(t *testing.T) {
		storetest.Counter(t, 30, open(t), open(t))
	})
}
