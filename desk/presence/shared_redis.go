package presence

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/botforge/dialogd/desk/internal/rediskeys"
)

// redisShared is Shared for several botd instances: the right to poll is
// a lock holding this instance's token with a TTL, the mark a JSON value,
// remembered rows keys with a TTL.
type redisShared struct {
	c      redis.UniversalClient
	prefix string
	lock   *rediskeys.Lock
}

// NewRedis returns Shared kept in Redis under keys starting with prefix
// (one prefix per bot, e.g. "dialogd:presence:<bot>:").
func NewRedis(c redis.UniversalClient, prefix string) Shared {
	return &redisShared{c: c, prefix: prefix, lock: rediskeys.NewLock(c, prefix+"lock")}
}

func (r *redisShared) Hold(ctx context.Context, ttl time.Duration) (bool, error) {
	ok, err := r.lock.Hold(ctx, ttl)
	if err != nil {
		return false, fmt.Errorf("presence: take the poll lock: %w", err)
	}
	return ok, nil
}

func (r *redisShared) Release(ctx context.Context) error {
	if err := r.lock.Release(ctx); err != nil {
		return fmt.Errorf("presence: release the poll lock: %w", err)
	}
	return nil
}

func (r *redisShared) Mark(ctx context.Context) (Mark, error) {
	var m Mark
	if _, err := rediskeys.GetJSON(ctx, r.c, r.prefix+"mark", &m); err != nil {
		return Mark{}, fmt.Errorf("presence: read the mark: %w", err)
	}
	return m, nil
}

func (r *redisShared) SaveMark(ctx context.Context, m Mark) error {
	if err := rediskeys.SetJSON(ctx, r.c, r.prefix+"mark", m, 0); err != nil {
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
