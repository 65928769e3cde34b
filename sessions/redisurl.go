package sessions

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Timeouts ParseRedisURL sets unless the URL's query overrides them. They are
// short on purpose: a user waiting for the bot is better served by "try again"
// than by a hang.
const (
	DefaultDialTimeout = 2 * time.Second
	DefaultIOTimeout   = 2 * time.Second // read and write
)

// ErrBadRedisURL is wrapped by every error of ParseRedisURL.
var ErrBadRedisURL = errors.New("invalid redis url")

// ParseRedisURL parses a Redis URL into options for redis.NewUniversalClient:
//
//	redis://[user:pass@]host:port[/db]                    one server
//	rediss://[user:pass@]host:port[/db]                   the same over TLS
//	redis://[user:pass@]h1:p1,h2:p2,...                   Cluster (two or more addresses, db 0)
//	redis://[user:pass@]s1:p1[,s2:p2...][/db]?master_name=NAME   Sentinel
//
// With master_name the addresses are the sentinels', and user:pass
// authenticate to the master; sentinel_username and sentinel_password
// authenticate to the sentinels. A missing port means 6379. Other query
// parameters: dial_timeout, read_timeout, write_timeout (Go durations, or
// plain seconds), pool_size and max_retries; an unknown one is an error.
//
// The options enable context deadlines and set DefaultDialTimeout,
// DefaultIOTimeout and one retry, so a dead Redis fails fast.
func ParseRedisURL(s string) (*redis.UniversalOptions, error) {
	o, err := parseRedisURL(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadRedisURL, err)
	}
	return o, nil
}

func parseRedisURL(s string) (*redis.UniversalOptions, error) {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return nil, errors.New("missing scheme, want redis:// or rediss://")
	}
	o := &redis.UniversalOptions{
		DialTimeout:           DefaultDialTimeout,
		ReadTimeout:           DefaultIOTimeout,
		WriteTimeout:          DefaultIOTimeout,
		MaxRetries:            1,
		DialerRetries:         2,
		ContextTimeoutEnabled: true,
		// RESP2: the store needs no push notifications, and RESP3's
		// per-command check for them costs CPU on every reply.
		Protocol:        2,
		DisableIdentity: true,
	}
	switch scheme {
	case "redis":
	case "rediss":
		// ServerName stays empty: each connection checks the certificate
		// against the host it dials, which also suits Cluster nodes.
		o.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	default:
		return nil, fmt.Errorf("scheme %q, want redis or rediss", scheme)
	}

	authority, tail := rest, ""
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority, tail = rest[:i], rest[i:]
	}
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		var err error
		if o.Username, o.Password, err = userinfo(authority[:i]); err != nil {
			return nil, err
		}
		authority = authority[i+1:]
	}
	for i, a := range strings.Split(authority, ",") {
		addr, err := hostPort(a)
		if err != nil {
			return nil, fmt.Errorf("address %d: %w", i+1, err)
		}
		o.Addrs = append(o.Addrs, addr)
	}

	tail, _, _ = strings.Cut(tail, "#")
	path, rawQuery, _ := strings.Cut(tail, "?")
	if db := strings.TrimPrefix(path, "/"); db != "" {
		n, err := strconv.Atoi(db)
		if err != nil || n < 0 || strings.Contains(db, "/") {
			return nil, fmt.Errorf("database %q is not a number", db)
		}
		o.DB = n
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	if err := applyQuery(o, q); err != nil {
		return nil, err
	}
	if o.MasterName == "" && len(o.Addrs) > 1 && o.DB != 0 {
		return nil, fmt.Errorf("database %d with a cluster address list, cluster has only database 0", o.DB)
	}
	if o.TLSConfig == nil {
		o.Dialer = noPeekDialer(o.DialTimeout)
	}
	return o, nil
}

// noPeekDialer dials plain TCP connections that go-redis's pool cannot see
// the file descriptor of. Its health check otherwise peeks at the socket
// (a recvfrom system call) before every command, a third of a turn's
// system calls; without it a connection the server closed is found by the
// command that uses it, which fails and is retried once on a new
// connection (MaxRetries). TLS connections hide their descriptor anyway.
func noPeekDialer(timeout time.Duration) func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: timeout, KeepAlive: 5 * time.Minute}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return noPeekConn{c}, nil
	}
}

// noPeekConn is a net.Conn without SyscallConn.
type noPeekConn struct{ net.Conn }

func userinfo(s string) (user, pass string, err error) {
	u, p, _ := strings.Cut(s, ":")
	if user, err = url.PathUnescape(u); err != nil {
		return "", "", fmt.Errorf("user name: %w", err)
	}
	if pass, err = url.PathUnescape(p); err != nil {
		return "", "", errors.New("password is not valid percent-encoding") // never echo it
	}
	return user, pass, nil
}

// hostPort validates one address and adds the default port. Its errors do not
// repeat the address, which may be a mistyped password.
func hostPort(a string) (string, error) {
	if a == "" {
		return "", errors.New("empty address")
	}
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		host, port = a, "6379"
		if strings.HasPrefix(a, "[") && strings.HasSuffix(a, "]") {
			host = a[1 : len(a)-1]
		} else if strings.Contains(a, ":") {
			return "", errors.New("host:port expected")
		}
	}
	if host == "" || strings.ContainsAny(host, " \t\r\n/?#@[]%") {
		return "", errors.New("bad host")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", errors.New("bad port")
	}
	return net.JoinHostPort(host, port), nil
}

func applyQuery(o *redis.UniversalOptions, q url.Values) error {
	for k, vs := range q {
		v := vs[len(vs)-1]
		var err error
		switch k {
		case "master_name":
			if v == "" {
				err = errors.New("empty")
			}
			o.MasterName = v
		case "sentinel_username":
			o.SentinelUsername = v
		case "sentinel_password":
			o.SentinelPassword = v
		case "dial_timeout":
			o.DialTimeout, err = duration(v)
		case "read_timeout":
			o.ReadTimeout, err = duration(v)
		case "write_timeout":
			o.WriteTimeout, err = duration(v)
		case "pool_size":
			o.PoolSize, err = count(v)
		case "max_retries":
			o.MaxRetries, err = count(v)
			if err == nil && o.MaxRetries == 0 {
				o.MaxRetries = -1 // go-redis: -1 disables retries, 0 means 3
			}
		default:
			return fmt.Errorf("query parameter %q not recognised", k)
		}
		if err != nil {
			return fmt.Errorf("query parameter %s=%q: %w", k, v, err)
		}
	}
	return nil
}

// duration parses a Go duration, or a plain number of seconds.
func duration(v string) (time.Duration, error) {
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 || n > 3600 {
			return 0, errors.New("out of range")
		}
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, errors.New("not a duration")
	}
	if d < 0 || d > time.Hour {
		return 0, errors.New("out of range")
	}
	return d, nil
}

func count(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 100000 {
		return 0, errors.New("not a count")
	}
	return n, nil
}
