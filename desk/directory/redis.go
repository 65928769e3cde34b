package directory

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/botforge/dialogd/desk/internal/rediskeys"
)

// redisStore keeps a bot's directory in Redis, shared by every botd
// instance. Its keys start with dir:{bot}: (one Cluster hash tag per bot,
// so multi-key commands stay in one slot):
//
//	dir:{bot}:rec:<id>            the record as JSON
//	dir:{bot}:ids                 set of every record id
//	dir:{bot}:idx:<kind>:<value>  set of the ids with that lookup key
//	dir:{bot}:state               the sync state as JSON
//	dir:{bot}:lock                the sync lock (a random token, with a TTL)
type redisStore struct {
	c      redis.UniversalClient
	prefix string
}

// NewRedisStore returns bot's directory in Redis.
func NewRedisStore(c redis.UniversalClient, bot string) Store {
	return &redisStore{c: c, prefix: "dir:{" + bot + "}:"}
}

func (s *redisStore) recKey(id string) string { return s.prefix + "rec:" + id }
func (s *redisStore) idxKey(k indexKey) string {
	return s.prefix + "idx:" + k.kind + ":" + k.value
}

// old returns the stored records of ids (absent ones skipped).
func (s *redisStore) old(ctx context.Context, ids []string) ([]Record, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = s.recKey(id)
	}
	vals, err := s.c.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, fmt.Errorf("directory: redis read records: %w", err)
	}
	out := make([]Record, 0, len(vals))
	for _, v := range vals {
		str, ok := v.(string)
		if !ok {
			continue
		}
		var r Record
		if err := json.Unmarshal([]byte(str), &r); err != nil {
			return nil, fmt.Errorf("directory: redis record: %w", err)
		}
		out = append(out, r)
	}
	return out, nil
}

func (s *redisStore) Put(ctx context.Context, recs []Record) error {
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	old, err := s.old(ctx, ids)
	if err != nil {
		return err
	}
	_, err = s.c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for _, o := range old {
			for _, k := range o.keys() {
				p.SRem(ctx, s.idxKey(k), o.ID)
			}
		}
		for _, r := range recs {
			data, err := json.Marshal(r)
			if err != nil {
				return err
			}
			p.Set(ctx, s.recKey(r.ID), data, 0)
			p.SAdd(ctx, s.prefix+"ids", r.ID)
			for _, k := range r.keys() {
				p.SAdd(ctx, s.idxKey(k), r.ID)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("directory: redis put: %w", err)
	}
	return nil
}

func (s *redisStore) Delete(ctx context.Context, ids []string) (int, error) {
	old, err := s.old(ctx, ids)
	if err != nil || len(old) == 0 {
		return 0, err
	}
	_, err = s.c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for _, o := range old {
			for _, k := range o.keys() {
				p.SRem(ctx, s.idxKey(k), o.ID)
			}
			p.Del(ctx, s.recKey(o.ID))
			p.SRem(ctx, s.prefix+"ids", o.ID)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("directory: redis delete: %w", err)
	}
	return len(old), nil
}

func (s *redisStore) Find(ctx context.Context, kind, value string, limit int) ([]Record, error) {
	ids, err := s.c.SMembers(ctx, s.idxKey(indexKey{kind, value})).Result()
	if err != nil {
		return nil, fmt.Errorf("directory: redis find: %w", err)
	}
	slices.Sort(ids)
	if len(ids) > limit {
		ids = ids[:limit]
	}
	return s.old(ctx, ids)
}

// Clear deletes the records a batch at a time, with their lookup keys.
func (s *redisStore) Clear(ctx context.Context) error {
	for {
		ids, err := s.c.SRandMemberN(ctx, s.prefix+"ids", flushEvery).Result()
		if err != nil {
			return fmt.Errorf("directory: redis clear: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		if _, err := s.Delete(ctx, ids); err != nil {
			return err
		}
		// Ids whose record vanished would come back forever: drop them.
		if err := s.c.SRem(ctx, s.prefix+"ids", toAny(ids)...).Err(); err != nil {
			return fmt.Errorf("directory: redis clear: %w", err)
		}
	}
}

func (s *redisStore) Count(ctx context.Context) (int, error) {
	n, err := s.c.SCard(ctx, s.prefix+"ids").Result()
	if err != nil {
		return 0, fmt.Errorf("directory: redis count: %w", err)
	}
	return int(n), nil
}

func (s *redisStore) State(ctx context.Context) (SyncState, error) {
	var st SyncState
	if _, err := rediskeys.GetJSON(ctx, s.c, s.prefix+"state", &st); err != nil {
		return SyncState{}, fmt.Errorf("directory: redis state: %w", err)
	}
	return st, nil
}

func (s *redisStore) SaveState(ctx context.Context, st SyncState) error {
	if err := rediskeys.SetJSON(ctx, s.c, s.prefix+"state", st, 0); err != nil {
		return fmt.Errorf("directory: redis save state: %w", err)
	}
	return nil
}

// Lock takes the directory's sync lock for ttl; unlock frees it unless it
// ran out and another instance took it meanwhile.
func (s *redisStore) Lock(ctx context.Context, ttl time.Duration) (func(), bool, error) {
	l := rediskeys.NewLock(s.c, s.prefix+"lock")
	ok, err := l.Hold(ctx, ttl)
	if err != nil {
		return nil, false, fmt.Errorf("directory: redis lock: %w", err)
	}
	if !ok {
		return nil, false, nil
	}
	unlock := func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = l.Release(ctx)
	}
	return unlock, true, nil
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
