package sessions

import (
	"context"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
)

// pipeliner sends the session scripts of concurrent turns to Redis
// together ("natural pipelining"). A call made while fewer than maxInFlight
// batches are on the wire goes out at once, so a quiet server adds no
// latency; calls made while the wire is busy queue up and leave as one
// pipeline (one write and one read for all of them) as soon as a batch
// returns. Under load this divides the system calls and Redis's per-command
// network work by the batch size, which is most of a turn's cost.

type pipeliner struct {
	c           redis.UniversalClient
	maxInFlight int

	mu       sync.Mutex
	queue    []*scriptCall
	inFlight int
}

type scriptCall struct {
	script *redis.Script
	keys   []string
	args   []any
	cmd    *redis.Cmd
	done   chan struct{}
}

func newPipeliner(c redis.UniversalClient, maxInFlight int) *pipeliner {
	return &pipeliner{c: c, maxInFlight: max(maxInFlight, 1)}
}

var callPool = sync.Pool{New: func() any { return &scriptCall{done: make(chan struct{}, 1)} }}

// run executes script with keys and args, batched with concurrent calls,
// and returns its finished command. The caller's ctx bounds its wait; a
// call whose caller gave up may still be executed by Redis.
func (p *pipeliner) run(ctx context.Context, script *redis.Script, keys []string, args ...any) *redis.Cmd {
	c := callPool.Get().(*scriptCall)
	c.script, c.keys, c.args, c.cmd = script, keys, args, nil

	p.mu.Lock()
	p.queue = append(p.queue, c)
	if p.inFlight < p.maxInFlight {
		p.inFlight++
		batch := p.queue
		p.queue = nil
		p.mu.Unlock()
		// This caller sends the batch (its own call among them) and, if
		// more calls queued meanwhile, hands them to a goroutine.
		p.exec(ctx, batch)
		p.next()
	} else {
		p.mu.Unlock()
	}

	select {
	case <-c.done:
		cmd := c.cmd
		c.script, c.keys, c.args, c.cmd = nil, nil, nil, nil
		callPool.Put(c)
		return cmd
	case <-ctx.Done():
		// The call stays queued or in flight; its result is dropped and the
		// scriptCall is left to the garbage collector.
		cmd := redis.NewCmd(ctx)
		cmd.SetErr(ctx.Err())
		return cmd
	}
}

// next sends what queued while a batch was in flight, or ends the flight.
func (p *pipeliner) next() {
	p.mu.Lock()
	if len(p.queue) == 0 {
		p.inFlight--
		p.mu.Unlock()
		return
	}
	batch := p.queue
	p.queue = nil
	p.mu.Unlock()
	go func() {
		p.exec(context.Background(), batch)
		p.next()
	}()
}

// exec sends one batch. The batch runs with the client's own timeouts,
// not one caller's deadline, so a caller giving up cannot fail the others.
func (p *pipeliner) exec(ctx context.Context, batch []*scriptCall) {
	bctx := context.WithoutCancel(ctx)
	if len(batch) == 1 {
		c := batch[0]
		c.cmd = c.script.Run(bctx, p.c, c.keys, c.args...)
		c.done <- struct{}{}
		return
	}
	pipe := p.c.Pipeline()
	for _, c := range batch {
		c.cmd = c.script.EvalSha(bctx, pipe, c.keys, c.args...)
	}
	_, _ = pipe.Exec(bctx) // each command carries its own error
	for _, c := range batch {
		if err := c.cmd.Err(); err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT") {
			// Redis lost its script cache (a restart): Run loads it.
			c.cmd = c.script.Run(bctx, p.c, c.keys, c.args...)
		}
		c.done <- struct{}{}
	}
}
