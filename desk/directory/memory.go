package directory

import (
	"context"
	"slices"
	"sync"
	"time"
)

// memoryStore is the directory of one process.
type memoryStore struct {
	mu      sync.RWMutex
	records map[string]Record
	index   map[indexKey]map[string]struct{}
	state   SyncState
	syncing sync.Mutex
}

// NewMemoryStore returns an empty directory kept in memory (the default:
// one botd instance, rebuilt by the first sync after a restart).
func NewMemoryStore() Store {
	return &memoryStore{records: map[string]Record{}, index: map[indexKey]map[string]struct{}{}}
}

func (m *memoryStore) Put(_ context.Context, recs []Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range recs {
		m.removeLocked(r.ID)
		r.Phones = slices.Clone(r.Phones)
		m.records[r.ID] = r
		for _, k := range r.keys() {
			ids := m.index[k]
			if ids == nil {
				ids = map[string]struct{}{}
				m.index[k] = ids
			}
			ids[r.ID] = struct{}{}
		}
	}
	return nil
}

func (m *memoryStore) removeLocked(id string) bool {
	old, ok := m.records[id]
	if !ok {
		return false
	}
	for _, k := range old.keys() {
		delete(m.index[k], id)
		if len(m.index[k]) == 0 {
			delete(m.index, k)
		}
	}
	delete(m.records, id)
	return true
}

func (m *memoryStore) Delete(_ context.Context, ids []string) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, id := range ids {
		if m.removeLocked(id) {
			n++
		}
	}
	return n, nil
}

func (m *memoryStore) Find(_ context.Context, kind, value string, limit int) ([]Record, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	ids := make([]string, 0, len(m.index[indexKey{kind, value}]))
	for id := range m.index[indexKey{kind, value}] {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	if len(ids) > limit {
		ids = ids[:limit]
	}
	out := make([]Record, len(ids))
	for i, id := range ids {
		out[i] = m.records[id]
		out[i].Phones = slices.Clone(out[i].Phones)
	}
	return out, nil
}

func (m *memoryStore) Clear(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.records, m.index = map[string]Record{}, map[indexKey]map[string]struct{}{}
	return nil
}

func (m *memoryStore) Count(context.Context) (int, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.records), nil
}

func (m *memoryStore) State(context.Context) (SyncState, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.state, nil
}

func (m *memoryStore) SaveState(_ context.Context, st SyncState) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.state = st
	return nil
}

// Lock is a mutex: one process has only itself to exclude.
func (m *memoryStore) Lock(context.Context, time.Duration) (func(), bool, error) {
	if !m.syncing.TryLock() {
		return nil, false, nil
	}
	return m.syncing.Unlock, true, nil
}
