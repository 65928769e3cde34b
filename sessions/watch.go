package sessions

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Watch lists in Redis: one sorted set per list, dlg:watch:<name>, whose
// members are the notes and whose scores are their due times in Redis's
// own clock (milliseconds), so that every process agrees on what is due
// whatever its own clock says. The set is a key of its own, apart from the
// sessions' slots, so it is written by a script of its own after the
// session's commit.

var (
	// ARGV: note, idleMS, "1" to remove.
	watchScript = redis.NewScript(`
if ARGV[3] == '1' then return redis.call('ZREM', KEYS[1], ARGV[1]) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
`)

	// ARGV: max, maxUnreportedMS. Returns the due notes, removed from the
	// set, and drops entries unreported for longer than maxUnreportedMS.
	expiredScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
if #due > 0 then redis.call('ZREM', KEYS[1], unpack(due)) end
return due
`)
)

func (r *Redis) watchKey(watch string) string { return r.opts.Prefix + "watch:" + watch }

func checkWatch(watch string) error {
	if strings.ContainsAny(watch, "{}") {
		return fmt.Errorf("%w: watch list %q", ErrInvalidID, truncate(watch, 40))
	}
	return nil
}

// watch puts the commit's note on its watch list, due after idleMS, or
// takes it off when the session ended.
func (r *Redis) watch(ctx context.Context, exp Expiry, idleMS string, remove bool) error {
	if err := checkWatch(exp.Watch); err != nil {
		return err
	}
	flag := "0"
	if remove {
		flag = "1"
	}
	if err := r.pipe.run(ctx, watchScript, []string{r.watchKey(exp.Watch)}, exp.Note, idleMS, flag).Err(); err != nil {
		return r.fail("update watch list", exp.Watch, err)
	}
	return nil
}

// Expired returns up to max due notes of the watch list and removes them
// from it, in one script, so that each goes to one caller.
func (r *Redis) Expired(ctx context.Context, watch string, max int) ([]string, error) {
	if err := checkWatch(watch); err != nil {
		return nil, err
	}
	if max <= 0 {
		return nil, nil
	}
	unreported := strconv.FormatInt(MaxUnreported.Milliseconds(), 10)
	notes, err := r.pipe.run(ctx, expiredScript, []string{r.watchKey(watch)}, max, unreported).StringSlice()
	if err != nil {
		return nil, r.fail("read watch list", watch, err)
	}
	return notes, nil
}
