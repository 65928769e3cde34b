package rediskeys

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// GetJSON decodes the JSON value at key into v; found is false (and v
// untouched) when there is none.
func GetJSON(ctx context.Context, c redis.UniversalClient, key string, v any) (found bool, err error) {
	data, err := c.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, json.Unmarshal(data, v)
}

// SetJSON stores v as JSON at key, for ttl (0: no expiry).
func SetJSON(ctx context.Context, c redis.UniversalClient, key string, v any, ttl time.Duration) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.Set(ctx, key, data, ttl).Err()
}

// Lock is a lock at one key that one holder at a time has: the holder's
// random token is the key's value, so that only the holder renews or
// releases it, and it expires on its own when the holder stops renewing.
type Lock struct {
	c     redis.UniversalClient
	key   string
	token string
}

// NewLock returns a lock at key with a token of its own.
func NewLock(c redis.UniversalClient, key string) *Lock {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return &Lock{c: c, key: key, token: hex.EncodeToString(b)}
}

// holdScript renews the lock when this token holds it, else takes it when
// it is free.
var holdScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("PEXPIRE", KEYS[1], ARGV[2])
end
if redis.call("SET", KEYS[1], ARGV[1], "NX", "PX", ARGV[2]) then return 1 end
return 0`)

// releaseScript deletes the lock only when this token holds it (it may
// have expired and been taken by another instance).
var releaseScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end
return 0`)

// Hold takes the lock for ttl, or renews it when this Lock holds it, and
// reports whether it holds it now.
func (l *Lock) Hold(ctx context.Context, ttl time.Duration) (bool, error) {
	n, err := holdScript.Run(ctx, l.c, []string{l.key}, l.token, ttl.Milliseconds()).Int()
	return n == 1, err
}

// Release frees the lock when this Lock holds it.
func (l *Lock) Release(ctx context.Context) error {
	return releaseScript.Run(ctx, l.c, []string{l.key}, l.token).Err()
}
