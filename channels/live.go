package channels

import (
	"hash/maphash"
	"sync"
)

// liveShards is the number of shards of the live-connection map; a power of
// two so the shard is picked with a mask.
const liveShards = 32

// liveMap indexes the open connections of this process by session id. It is
// sharded so that connects, disconnects, deliveries and the ping sweep of
// different sessions rarely contend on one lock.
type liveMap struct {
	seed   maphash.Seed
	shards [liveShards]liveShard
}

type liveShard struct {
	mu sync.RWMutex
	m  map[string][]*conn // a session may be open in several tabs
}

func newLiveMap() *liveMap {
	l := &liveMap{seed: maphash.MakeSeed()}
	for i := range l.shards {
		l.shards[i].m = make(map[string][]*conn)
	}
	return l
}

func (l *liveMap) shard(session string) *liveShard {
	return &l.shards[maphash.String(l.seed, session)&(liveShards-1)]
}

func (l *liveMap) add(c *conn) {
	sh := l.shard(c.session)
	sh.mu.Lock()
	sh.m[c.session] = append(sh.m[c.session], c)
	sh.mu.Unlock()
}

// remove drops c and reports whether it was present.
func (l *liveMap) remove(c *conn) bool {
	sh := l.shard(c.session)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	list := sh.m[c.session]
	for i, x := range list {
		if x != c {
			continue
		}
		if len(list) == 1 {
			delete(sh.m, c.session)
			return true
		}
		list[i] = list[len(list)-1]
		list[len(list)-1] = nil
		sh.m[c.session] = list[:len(list)-1]
		return true
	}
	return false
}

// get returns a copy of the connections of one session.
func (l *liveMap) get(session string) []*conn {
	sh := l.shard(session)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	return append([]*conn(nil), sh.m[session]...)
}

// snapshot appends the connections of shard i to dst.
func (l *liveMap) snapshot(i int, dst []*conn) []*conn {
	sh := &l.shards[i]
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	for _, list := range sh.m {
		dst = append(dst, list...)
	}
	return dst
}

// all returns every open connection.
func (l *liveMap) all() []*conn {
	var out []*conn
	for i := range l.shards {
		out = l.snapshot(i, out)
	}
	return out
}

// count returns the number of open connections.
func (l *liveMap) count() int {
	n := 0
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.RLock()
		for _, list := range sh.m {
			n += len(list)
		}
		sh.mu.RUnlock()
	}
	return n
}
