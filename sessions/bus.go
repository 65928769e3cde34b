package sessions

import (
	"context"
	"encoding/binary"
	"errors"
	"sync"
	"time"
)

// Bus carries frames produced outside a client's turn — a dialog resumed
// by an OAuth callback, say — to whichever process holds the session's
// socket. Every process subscribes; the one with the socket delivers, the
// others ignore the message. Frames are stored in the outbox before they
// are published, so a client that is not connected anywhere receives them
// when it reconnects.
type Bus interface {
	Publish(ctx context.Context, session string, frames [][]byte) error
	// Subscribe calls fn for each published message until ctx ends. fn
	// runs on one goroutine per subscription and must not block for long.
	// An error means the subscription could not be made or was lost;
	// KeepSubscribed subscribes again with a backoff.
	Subscribe(ctx context.Context, fn func(session string, frames [][]byte)) error
}

// encodeDelivery packs a session id and frames: each as a 4-byte length
// and its bytes.
func encodeDelivery(session string, frames [][]byte) []byte {
	n := 4 + len(session)
	for _, f := range frames {
		n += 4 + len(f)
	}
	b := make([]byte, 0, n)
	b = binary.BigEndian.AppendUint32(b, uint32(len(session)))
	b = append(b, session...)
	for _, f := range frames {
		b = binary.BigEndian.AppendUint32(b, uint32(len(f)))
		b = append(b, f...)
	}
	return b
}

var errBadDelivery = errors.New("malformed delivery message")

func decodeDelivery(b []byte) (string, [][]byte, error) {
	next := func() ([]byte, error) {
		if len(b) < 4 {
			return nil, errBadDelivery
		}
		n := binary.BigEndian.Uint32(b)
		if uint64(n) > uint64(len(b)-4) {
			return nil, errBadDelivery
		}
		v := b[4 : 4+n]
		b = b[4+n:]
		return v, nil
	}
	s, err := next()
	if err != nil {
		return "", nil, err
	}
	var frames [][]byte
	for len(b) > 0 {
		f, err := next()
		if err != nil {
			return "", nil, err
		}
		frames = append(frames, f)
	}
	return string(s), frames, nil
}

// memBus is the in-process Bus of a Memory store.
type memBus struct {
	mu   sync.Mutex
	subs map[int]func(string, [][]byte)
	next int
}

// Publish implements Bus for one process.
func (m *Memory) Publish(_ context.Context, session string, frames [][]byte) error {
	m.bus.mu.Lock()
	fns := make([]func(string, [][]byte), 0, len(m.bus.subs))
	for _, fn := range m.bus.subs {
		fns = append(fns, fn)
	}
	m.bus.mu.Unlock()
	for _, fn := range fns {
		fn(session, frames)
	}
	return nil
}

// Subscribe implements Bus for one process.
func (m *Memory) Subscribe(ctx context.Context, fn func(string, [][]byte)) error {
	m.bus.mu.Lock()
	if m.bus.subs == nil {
		m.bus.subs = map[int]func(string, [][]byte){}
	}
	id := m.bus.next
	m.bus.next++
	m.bus.subs[id] = fn
	m.bus.mu.Unlock()
	<-ctx.Done()
	m.bus.mu.Lock()
	delete(m.bus.subs, id)
	m.bus.mu.Unlock()
	return nil
}

func (r *Redis) busChannel() string { return r.opts.Prefix + "deliver" }

// Publish sends the frames to every process subscribed on this Redis.
func (r *Redis) Publish(ctx context.Context, session string, frames [][]byte) error {
	if err := r.c.Publish(ctx, r.busChannel(), encodeDelivery(session, frames)).Err(); err != nil {
		return r.fail("publish to session", session, err)
	}
	return nil
}

// busHealthInterval is how long a quiet subscription waits before it
// pings Redis, and then how long it waits for the answer: a connection
// that stays silent that long is taken as lost.
const busHealthInterval = 30 * time.Second

// Subscribe receives what any process publishes until ctx ends. It returns
// an error when the subscription cannot be made or is lost (Redis restarted,
// the connection broke or went silent); KeepSubscribed subscribes again.
func (r *Redis) Subscribe(ctx context.Context, fn func(string, [][]byte)) error {
	return r.subscribe(ctx, fn, nil)
}

// subscribe is Subscribe that calls ready, if set, once Redis has
// confirmed the subscription.
func (r *Redis) subscribe(ctx context.Context, fn func(string, [][]byte), ready func()) error {
	return r.listen(ctx, r.busChannel(), func(payload string) {
		session, frames, err := decodeDelivery([]byte(payload))
		if err != nil {
			return // not ours: someone else published on the channel
		}
		fn(session, frames)
	}, ready)
}

var (
	_ Bus = (*Memory)(nil)
	_ Bus = (*Redis)(nil)
)
