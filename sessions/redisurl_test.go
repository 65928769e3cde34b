package sessions_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/botforge/dialogd/sessions"
	"github.com/redis/go-redis/v9"
)

func TestParseRedisURL(t *testing.T) {
	type want struct {
		addrs      []string
		user, pass string
		db         int
		master     string
		tls        bool
		kind       string // "simple", "cluster" or "failover": what NewUniversalClient builds
	}
	tests := []struct {
		in   string
		want want
	}{
		{"redis://127.0.0.1:6379", want{addrs: []string{"127.0.0.1:6379"}, kind: "simple"}},
		{"redis://localhost", want{addrs: []string{"localhost:6379"}, kind: "simple"}},
		{"redis://h:7000/3", want{addrs: []string{"h:7000"}, db: 3, kind: "simple"}},
		{"redis://u:p%40ss@h:1/", want{addrs: []string{"h:1"}, user: "u", pass: "p@ss", kind: "simple"}},
		{"redis://:secret@h:1", want{addrs: []string{"h:1"}, pass: "secret", kind: "simple"}},
		{"redis://u:p@ss@h:1", want{addrs: []string{"h:1"}, user: "u", pass: "p@ss", kind: "simple"}},
		{"rediss://h.example.com:6380", want{addrs: []string{"h.example.com:6380"}, tls: true, kind: "simple"}},
		{"redis://[::1]:6379", want{addrs: []string{"[::1]:6379"}, kind: "simple"}},
		{"redis://[::1]", want{addrs: []string{"[::1]:6379"}, kind: "simple"}},
		{"redis://h1:1,h2:2,h3:3", want{addrs: []string{"h1:1", "h2:2", "h3:3"}, kind: "cluster"}},
		{"rediss://u:p@h1:1,h2:2", want{addrs: []string{"h1:1", "h2:2"}, user: "u", pass: "p", tls: true, kind: "cluster"}},
		{"redis://s1:26379?master_name=mymaster", want{addrs: []string{"s1:26379"}, master: "mymaster", kind: "failover"}},
		{"redis://u:p@s1:26379,s2:26380/2?master_name=m#frag", want{addrs: []string{"s1:26379", "s2:26380"}, user: "u", pass: "p", db: 2, master: "m", kind: "failover"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			o, err := sessions.ParseRedisURL(tt.in)
			if err != nil {
				t.Fatalf("ParseRedisURL(%q): %v", tt.in, err)
			}
			got := want{addrs: o.Addrs, user: o.Username, pass: o.Password, db: o.DB, master: o.MasterName, tls: o.TLSConfig != nil, kind: kind(o)}
			if !slices.Equal(got.addrs, tt.want.addrs) || got.user != tt.want.user || got.pass != tt.want.pass ||
				got.db != tt.want.db || got.master != tt.want.master || got.tls != tt.want.tls || got.kind != tt.want.kind {
				t.Errorf("ParseRedisURL(%q) = %+v; want %+v", tt.in, got, tt.want)
			}
			if o.DialTimeout != sessions.DefaultDialTimeout || o.ReadTimeout != sessions.DefaultIOTimeout || !o.ContextTimeoutEnabled {
				t.Errorf("ParseRedisURL(%q) timeouts = dial %v read %v ctx %v; want the short defaults", tt.in, o.DialTimeout, o.ReadTimeout, o.ContextTimeoutEnabled)
			}
		})
	}
}

// kind reports which client redis.NewUniversalClient builds from o.
func kind(o *redis.UniversalOptions) string {
	switch c := redis.NewUniversalClient(o); c.(type) {
	case *redis.ClusterClient:
		c.Close()
		return "cluster"
	case *redis.Client:
		if o.MasterName != "" {
			c.Close()
			return "failover"
		}
		c.Close()
		return "simple"
	default:
		c.Close()
		return "other"
	}
}

func TestParseRedisURLQuery(t *testing.T) {
	o, err := sessions.ParseRedisURL("redis://h:1?dial_timeout=3&read_timeout=250ms&write_timeout=1s&pool_size=7&max_retries=0&sentinel_password=x")
	if err != nil {
		t.Fatal(err)
	}
	got := []any{o.DialTimeout, o.ReadTimeout, o.WriteTimeout, o.PoolSize, o.MaxRetries, o.SentinelPassword}
	want := []any{3 * time.Second, 250 * time.Millisecond, time.Second, 7, -1, "x"}
	if !slices.Equal(got, want) {
		t.Errorf("query options = %v; want %v", got, want)
	}
}

func TestParseRedisURLErrors(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"127.0.0.1:6379", "missing scheme"},
		{"http://h:1", `scheme "http"`},
		{"redis://", "address 1: empty address"},
		{"redis://h1:1,,h2:2", "address 2: empty address"},
		{"redis://h:0", "address 1: bad port"},
		{"redis://h:99999", "address 1: bad port"},
		{"redis://h:x", "address 1: bad port"},
		{"redis://::1", "address 1: host:port expected"},
		{"redis://h:1/x", `database "x" is not a number`},
		{"redis://h:1/1/2", `database "1/2" is not a number`},
		{"redis://h1:1,h2:2/1", "cluster has only database 0"},
		{"redis://h:1?bogus=1", `query parameter "bogus" not recognised`},
		{"redis://h:1?master_name=", "master_name"},
		{"redis://h:1?dial_timeout=soon", "dial_timeout"},
		{"redis://h:1?pool_size=-1", "pool_size"},
		{"redis://h:1?a=%zz", "query"},
	}
	for _, tt := range tests {
		_, err := sessions.ParseRedisURL(tt.in)
		if err == nil || !errors.Is(err, sessions.ErrBadRedisURL) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseRedisURL(%q) error = %v; want ErrBadRedisURL containing %q", tt.in, err, tt.want)
		}
	}
}

// TestParseRedisURLHidesPassword checks that errors never repeat the password.
func TestParseRedisURLHidesPassword(t *testing.T) {
	for _, in := range []string{
		"redis://u:hunter2@h:x",
		"redis://u:hunter2%zz@h:1",
		"redis://u:hunter2@h:1?nope=1",
		"redis://u:hunter2",
	} {
		_, err := sessions.ParseRedisURL(in)
		if err == nil {
			t.Errorf("ParseRedisURL(%q) = nil error; want one", in)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("ParseRedisURL(%q) error %q repeats the password", in, err)
		}
	}
}

func FuzzParseRedisURL(f *testing.F) {
	for _, s := range []string{
		"redis://127.0.0.1:6379", "rediss://u:p@h:1/2", "redis://h1:1,h2:2",
		"redis://s1:1,s2:2?master_name=m&dial_timeout=1s", "redis://[::1]", "redis://u:p@@h", "redis://%",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := sessions.ParseRedisURL(s)
		if err != nil {
			if !errors.Is(err, sessions.ErrBadRedisURL) {
				t.Fatalf("ParseRedisURL(%q) error %v does not wrap ErrBadRedisURL", s, err)
			}
			return
		}
		if len(o.Addrs) == 0 {
			t.Fatalf("ParseRedisURL(%q) accepted no address", s)
		}
		for _, a := range o.Addrs {
			if _, err := sessions.ParseRedisURL("redis://" + a); err != nil {
				t.Fatalf("ParseRedisURL(%q) gave address %q that does not parse again: %v", s, a, err)
			}
		}
		if o.MasterName == "" && len(o.Addrs) > 1 && o.DB != 0 {
			t.Fatalf("ParseRedisURL(%q) accepted db %d for a cluster", s, o.DB)
		}
	})
}
