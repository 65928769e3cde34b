package desk

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

// memoryStore is the Store of a desk served by one process.
type memoryStore struct {
	mu      sync.Mutex
	board   []byte // the board as JSON, so that Update's fn works on a copy
	details map[string][]byte
	lines   map[string][]Entry
	seen    map[string]time.Time
	subs    map[int]*subscriber
	next    int
}

// NewMemoryStore returns a Store for a desk that one process serves.
func NewMemoryStore() Store {
	return &memoryStore{details: map[string][]byte{}, lines: map[string][]Entry{}, seen: map[string]time.Time{}, subs: map[int]*subscriber{}}
}

func (m *memoryStore) Update(ctx context.Context, fn func(*Board) error) (*Board, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, err := decodeBoard(m.board)
	if err != nil {
		return nil, err
	}
	if err := fn(b); err != nil {
		return nil, err
	}
	data, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	m.board = data
	return b, nil
}

func (m *memoryStore) Load(ctx context.Context) (*Board, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return decodeBoard(m.board)
}

func (m *memoryStore) PutDetails(_ context.Context, conv string, d []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.details[conv] = d
	return nil
}

func (m *memoryStore) Details(_ context.Context, conv string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.details[conv], nil
}

func (m *memoryStore) Append(_ context.Context, conv string, e Entry) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e.Seq = int64(len(m.lines[conv]) + 1)
	m.lines[conv] = append(m.lines[conv], e)
	return e.Seq, nil
}

func (m *memoryStore) Transcript(_ context.Context, conv string) ([]Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Entry(nil), m.lines[conv]...), nil
}

func (m *memoryStore) Forget(_ context.Context, conv string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.details, conv)
	delete(m.lines, conv)
	return nil
}

func (m *memoryStore) Once(_ context.Context, key string, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	if exp, ok := m.seen[key]; ok && now.Before(exp) {
		return false, nil
	}
	if len(m.seen) > 100_000 {
		for k, exp := range m.seen {
			if !now.Before(exp) {
				delete(m.seen, k)
			}
		}
	}
	m.seen[key] = now.Add(ttl)
	return true, nil
}

func (m *memoryStore) ForgetOnce(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.seen, key)
	return nil
}

func (m *memoryStore) Publish(_ context.Context, ev Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.subs {
		s.push(ev)
	}
	return nil
}

func (m *memoryStore) Subscribe(ctx context.Context, ready func(), fn func(Event)) error {
	s := newSubscriber()
	m.mu.Lock()
	id := m.next
	m.next++
	m.subs[id] = s
	m.mu.Unlock()
	ready()
	defer func() {
		m.mu.Lock()
		delete(m.subs, id)
		m.mu.Unlock()
	}()
	return s.run(ctx, fn)
}

// subscriber queues events for one subscription, so that Publish never
// waits for a slow subscriber and events keep their order.
type subscriber struct {
	mu    sync.Mutex
	queue []Event
	wake  chan struct{}
}

func newSubscriber() *subscriber { return &subscriber{wake: make(chan struct{}, 1)} }

func (s *subscriber) push(ev Event) {
	s.mu.Lock()
	s.queue = append(s.queue, ev)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *subscriber) run(ctx context.Context, fn func(Event)) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.wake:
		}
		s.mu.Lock()
		batch := s.queue
		s.queue = nil
		s.mu.Unlock()
		for _, ev := range batch {
			fn(ev)
		}
	}
}

// decodeBoard decodes a stored board; nothing stored is an empty board.
func decodeBoard(data []byte) (*Board, error) {
	b := newBoard()
	if len(data) == 0 {
		return b, nil
	}
	if err := json.Unmarshal(data, b); err != nil {
		return nil, fmt.Errorf("desk: decode board: %w", err)
	}
	return b, nil
}
