package sessions

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

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

	// ARGV: max, maxUnreportedMS, holdMS. Returns the due notes and the
	// due time each now has: its claim (now + hold), after which it is due
	// again. Drops entries unreported for longer than maxUnreportedMS.
	expiredScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
local claim = now + tonumber(ARGV[3])
local out = {}
for _, note in ipairs(due) do
  redis.call('ZADD', KEYS[1], 'XX', claim, note)
  out[#out + 1] = note
  out[#out + 1] = tostring(claim)
end
return out
`)

	// ARGV: note, claim. Removes the note while its due time is still the
	// claim's.
	doneScript = redis.NewScript(`
local at = redis.call('ZSCORE', KEYS[1], ARGV[1])
if at and tonumber(at) == tonumber(ARGV[2]) then return redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0
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

// Expired returns up to max due notes of the watch list and claims them
// for hold, in one script, so that each goes to one caller at a time.
func (r *Redis) Expired(ctx context.Context, watch string, limit int, hold time.Duration) ([]Due, error) {
	if err := checkWatch(watch); err != nil {
		return nil, err
	}
	if limit <= 0 {
		return nil, nil
	}
	unreported := strconv.FormatInt(MaxUnreported.Milliseconds(), 10)
	holdMS := strconv.FormatInt(max(hold.Milliseconds(), 1), 10)
	res, err := r.pipe.run(ctx, expiredScript, []string{r.watchKey(watch)}, limit, unreported, holdMS).StringSlice()
	if err != nil {
		return nil, r.fail("read watch list", watch, err)
	}
	due := make([]Due, 0, len(res)/2)
	for i := 0; i+1 < len(res); i += 2 {
		claim, err := strconv.ParseInt(res[i+1], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("read watch list %s: bad claim %q", watch, res[i+1])
		}
		due = append(due, Due{Note: res[i], claim: claim})
	}
	return due, nil
}

// Done takes a claimed note off its list unless a commit moved it since.
func (r *Redis) Done(ctx context.Context, watch string, d Due) error {
	if err := checkWatch(watch); err != nil {
		return err
	}
	if err := r.pipe.run(ctx, doneScript, []string{r.watchKey(watch)}, d.Note, d.claim).Err(); err != nil {
		return r.fail("update watch list", watch, err)
	}
	return nil
}
