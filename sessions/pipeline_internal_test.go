package sessions

import (
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/botforge/dialogd/sessions/redistest"
)

var echoScript = redis.NewScript(`return {KEYS[1], ARGV[1]}`)

// countingHook counts round trips: single commands and pipelines.
type countingHook struct{ singles, pipelines, piped atomic.Int64 }

func (h *countingHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *countingHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.singles.Add(1)
		return next(ctx, cmd)
	}
}
func (h *countingHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.pipelines.Add(1)
		h.piped.Add(int64(len(cmds)))
		return next(ctx, cmds)
	}
}

// TestPipelinerResultsGoToTheirCallers runs many concurrent script calls
// through one pipeliner and checks that every caller gets its own result
// and that concurrent calls really shared round trips.
func TestPipelinerResultsGoToTheirCallers(t *testing.T) {
	srv := redistest.Start(t)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr, PoolSize: 16})
	defer c.Close()
	hook := &countingHook{}
	c.AddHook(hook)
	p := newPipeliner(c, 2)
	const workers, calls = 64, 40
	var wg sync.WaitGroup
	var wrong atomic.Int64
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < calls; i++ {
				key, arg := fmt.Sprintf("k{%d}", w), fmt.Sprintf("%d-%d", w, i)
				res, err := p.run(context.Background(), echoScript, []string{key}, arg).StringSlice()
				if err != nil || len(res) != 2 || res[0] != key || res[1] != arg {
					wrong.Add(1)
					t.Errorf("call %s/%s got %v, %v", key, arg, res, err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	if wrong.Load() > 0 {
		t.FailNow()
	}
	total := int64(workers * calls)
	trips := hook.singles.Load() + hook.pipelines.Load()
	t.Logf("%d calls in %d round trips (%d pipelines carrying %d calls)", total, trips, hook.pipelines.Load(), hook.piped.Load())
	if hook.pipelines.Load() == 0 || trips >= total {
		t.Errorf("%d calls took %d round trips; want concurrent calls batched into fewer", total, trips)
	}
}

// TestPipelinerReloadsLostScripts: after SCRIPT FLUSH a batched EVALSHA
// gets NOSCRIPT, and the call is retried with the script loaded.
func TestPipelinerReloadsLostScripts(t *testing.T) {
	srv := redistest.Start(t)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer c.Close()
	p := newPipeliner(c, 1)
	batch := make([]*scriptCall, 3)
	for i := range batch {
		batch[i] = &scriptCall{script: echoScript, keys: []string{"k"}, args: []any{i}, done: make(chan struct{}, 1)}
	}
	if err := c.ScriptFlush(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	p.exec(context.Background(), batch)
	for i, call := range batch {
		res, err := call.cmd.StringSlice()
		if err != nil || res[1] != fmt.Sprint(i) {
			t.Errorf("call %d after SCRIPT FLUSH = %v, %v", i, res, err)
		}
	}
}

// TestPipelinerCallerGivesUp: a cancelled caller returns at once with its
// context's error.
func TestPipelinerCallerGivesUp(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", Dialer: func(ctx context.Context, network, addr string) (net.Conn, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}})
	defer c.Close()
	p := newPipeliner(c, 1)
	p.inFlight = 1 // the wire is busy: the call must queue
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.run(ctx, echoScript, []string{"k"}, "x").Err(); err != context.Canceled {
		t.Errorf("run with a cancelled context = %v, want context.Canceled", err)
	}
}
