package presence

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisShared is Shared for several botd instances: the right to poll is
// a key holding this instance's token with a TTL, the mark a JSON value,
// remembered rows keys with a TTL.
type redisShared struct {
	c      redis.UniversalClient
	prefix string
	token  string
}

// NewRedis returns Shared kept in Redis under keys starting with prefix
// (one prefix per bot, e.g. "dialogd:presence:<bot>:").
func NewRedis(c redis.UniversalClient, prefix string) Shared {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return &redisShared{c: c, prefix: prefix, token: hex.EncodeToString(b)}
}

// holdScript renews the lock when this token holds it, else takes it when
// free.
var holdScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("PEXPIRE", KEYS[1], ARGV[2])
end
if redis.call("SET", KEYS[1], ARGV[1], "NX", "PX", ARGV[2]) then return 1 end
return 0`)

// releaseScript deletes the lock only when this token holds it.
var releaseScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end
return 0`)

func (r *redisShared) Hold(ctx context.Context, ttl time.Duration) (bool, error) {
	n, err := holdScript.Run(ctx, r.c, []string{r.prefix + "lock"}, r.token, ttl.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("presence: take the poll lock: %w", err)
	}
	return n == 1, nil
}

func (r *redisShared) Release(ctx context.Context) error {
	if err := releaseScript.Run(ctx, r.c, []string{r.prefix + "lock"}, r.token).Err(); err != nil {
		return fmt.Errorf("presence: release the poll lock: %w", err)
	}
	return nil
}

func (r *redisShared) Mark(ctx context.Context) (Mark, error) {
	var m Mark
	b, err := r.c.Get(ctx, r.prefix+"mark").Bytes()
	if errors.Is(err, redis.Nil) {
		return m, nil
	}
	if err != nil {
		return m, fmt.Errorf("presence: read the mark: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("presence: read the mark: %w", err)
	}
	return m, nil
}

func (r *redisShared) SaveMark(ctx context.Context, m Mark) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("presence: save the mark: %w", err)
	}
	if err := r.c.Set(ctx, r.prefix+"mark", b, 0).Err(); err != nil {
		return fmt.Errorf("presence: save the mark: %w", err)
	}
	return nil
}

func (r *redisShared) Expect(ctx context.Context, user, status string, ttl time.Duration) error {
	return r.remember(ctx, expectKey(user, status), ttl)
}

func (r *redisShared) Own(ctx context.Context, id, user, status string, ttl time.Duration) error {
	_, err := r.c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, r.prefix+rowKey(id), 1, ttl)
		p.Del(ctx, r.prefix+expectKey(user, status))
		return nil
	})
	if err != nil {
		return fmt.Errorf("presence: remember a published status: %w", err)
	}
	return nil
}

func (r *redisShared) remember(ctx context.Context, key string, ttl time.Duration) error {
	if err := r.c.Set(ctx, r.prefix+key, 1, ttl).Err(); err != nil {
		return fmt.Errorf("presence: remember a published status: %w", err)
	}
	return nil
}

func (r *redisShared) Mine(ctx context.Context, id, user, status string) (bool, error) {
	n, err := r.c.Del(ctx, r.prefix+rowKey(id), r.prefix+expectKey(user, status)).Result()
	if err != nil {
		return false, fmt.Errorf("presence: look up a published status: %w", err)
	}
	return n > 0, nil
}
