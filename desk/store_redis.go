package desk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisStore is the Store of a desk that several instances serve. Every
// key of a desk starts with desk:<bot>: and holds one thing, so that each
// command touches one key (Redis Cluster too).
type redisStore struct {
	rdb    redis.UniversalClient
	prefix string
}

// NewRedisStore returns a Store in Redis for bot's desk.
func NewRedisStore(rdb redis.UniversalClient, bot string) Store {
	return &redisStore{rdb: rdb, prefix: "desk:" + bot + ":"}
}

func (r *redisStore) boardKey() string { return r.prefix + "board" }

// Update is an optimistic transaction: WATCH the board, compute, and
// write it in MULTI/EXEC; a conflict runs fn again on the newer board.
func (r *redisStore) Update(ctx context.Context, fn func(*Board) error) (*Board, error) {
	key := r.boardKey()
	for attempt := 0; attempt < 100; attempt++ {
		var out *Board
		err := r.rdb.Watch(ctx, func(tx *redis.Tx) error {
			data, err := tx.Get(ctx, key).Bytes()
			if err != nil && !errors.Is(err, redis.Nil) {
				return err
			}
			b, err := decodeBoard(data)
			if err != nil {
				return err
			}
			if err := fn(b); err != nil {
				return err
			}
			enc, err := json.Marshal(b)
			if err != nil {
				return err
			}
			_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, key, enc, 0)
				return nil
			})
			out = b
			return err
		}, key)
		if errors.Is(err, redis.TxFailedErr) {
			// Another instance changed the board: back off a little,
			// more with each attempt, and run fn on the new one.
			time.Sleep(time.Duration(rand.IntN(1+attempt)) * time.Millisecond)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("desk: update board: %w", err)
		}
		return out, nil
	}
	return nil, ErrConflict
}

func (r *redisStore) Load(ctx context.Context) (*Board, error) {
	data, err := r.rdb.Get(ctx, r.boardKey()).Bytes()
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("desk: load board: %w", err)
	}
	return decodeBoard(data)
}

func (r *redisStore) PutDetails(ctx context.Context, conv string, d []byte) error {
	if err := r.rdb.Set(ctx, r.prefix+"d:"+conv, d, keepEnded).Err(); err != nil {
		return fmt.Errorf("desk: store details: %w", err)
	}
	return nil
}

func (r *redisStore) Details(ctx context.Context, conv string) ([]byte, error) {
	d, err := r.rdb.Get(ctx, r.prefix+"d:"+conv).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("desk: load details: %w", err)
	}
	return d, nil
}

func (r *redisStore) Append(ctx context.Context, conv string, e Entry) (int64, error) {
	data, err := json.Marshal(e)
	if err != nil {
		return 0, err
	}
	key := r.prefix + "t:" + conv
	var n *redis.IntCmd
	_, err = r.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		n = p.RPush(ctx, key, data)
		p.Expire(ctx, key, keepEnded)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("desk: append to transcript: %w", err)
	}
	return n.Val(), nil
}

func (r *redisStore) Transcript(ctx context.Context, conv string) ([]Entry, error) {
	lines, err := r.rdb.LRange(ctx, r.prefix+"t:"+conv, 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("desk: load transcript: %w", err)
	}
	out := make([]Entry, 0, len(lines))
	for i, l := range lines {
		var e Entry
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			return nil, fmt.Errorf("desk: decode transcript line %d: %w", i+1, err)
		}
		e.Seq = int64(i + 1)
		out = append(out, e)
	}
	return out, nil
}

func (r *redisStore) Forget(ctx context.Context, conv string) error {
	// Kept for keepEnded by their expiry; nothing to do sooner.
	return nil
}

func (r *redisStore) Once(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	ok, err := r.rdb.SetNX(ctx, r.prefix+"once:"+key, 1, ttl).Result()
	if err != nil {
		return false, fmt.Errorf("desk: message id: %w", err)
	}
	return ok, nil
}

func (r *redisStore) ForgetOnce(ctx context.Context, key string) error {
	if err := r.rdb.Del(ctx, r.prefix+"once:"+key).Err(); err != nil {
		return fmt.Errorf("desk: forget message id: %w", err)
	}
	return nil
}

func (r *redisStore) channel() string { return r.prefix + "events" }

func (r *redisStore) Publish(ctx context.Context, ev Event) error {
	data, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	if err := r.rdb.Publish(ctx, r.channel(), data).Err(); err != nil {
		return fmt.Errorf("desk: publish: %w", err)
	}
	return nil
}

func (r *redisStore) Subscribe(ctx context.Context, ready func(), fn func(Event)) error {
	ps := r.rdb.Subscribe(ctx, r.channel())
	defer ps.Close()
	if _, err := ps.Receive(ctx); err != nil {
		return fmt.Errorf("desk: subscribe: %w", err)
	}
	// With the subscriptions: go-redis subscribes again by itself after
	// a lost connection, and what was published meanwhile is lost; the
	// new subscription's confirmation calls ready again, so that the
	// desk catches up.
	ch := ps.ChannelWithSubscriptions()
	ready()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case m, ok := <-ch:
			if !ok {
				return errors.New("desk: subscription closed")
			}
			switch m := m.(type) {
			case *redis.Subscription:
				ready()
			case *redis.Message:
				var ev Event
				if json.Unmarshal([]byte(m.Payload), &ev) == nil {
					fn(ev)
				}
			}
		}
	}
}
