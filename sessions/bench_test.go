package sessions_test

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/botforge/dialogd/sessions"
	"github.com/botforge/dialogd/sessions/redistest"
	"github.com/redis/go-redis/v9"
)

// benchState is a mid-dialog state of about 400 bytes, the size the dialog
// runtime writes.
var benchState = []byte(`{"v":1,"task":"salesforce_create_lead","state":"ask_email","slots":{"last_name":"Lovelace","first_name":"Ada","company":"Analytical Engines Ltd"},"retries":{"ask_email":1},"vars":{"locale":"en-GB","channel":"web"},"auth":{"profile":"sf_user","linked":false},"seq":41,"msgs":["m-7f3c2a9e-1","m-7f3c2a9e-2","m-7f3c2a9e-3"],"started":"2026-11-21T05:45:44Z","updated":"2026-11-21T05:47:10Z","pad":"................"}`)

// benchFrame returns an outgoing frame of about 130 bytes with seq n.
func benchFrame(n uint64) sessions.Frame {
	return sessions.Frame{Seq: n, Data: fmt.Appendf(nil,
		`{"v":1,"type":"message","seq":%d,"id":"b-3e1f9c2d-%06d","text":"Thanks! And what is your work e-mail address?","ts":1795240030}`, n, n)}
}

// turn runs one dialog turn's store traffic: Acquire, then Commit of the
// state and two frames.
func turn(b *testing.B, s sessions.Store, id string, seq uint64, frames []sessions.Frame) {
	ctx := context.Background()
	l, err := s.Acquire(ctx, id)
	if err != nil {
		b.Fatal(err)
	}
	frames[0].Seq, frames[1].Seq = seq, seq+1
	if err := l.Commit(ctx, benchState, frames); err != nil {
		b.Fatal(err)
	}
}

func benchTurns(b *testing.B, s sessions.Store) {
	frames := []sessions.Frame{benchFrame(1), benchFrame(2)}
	b.ReportAllocs()
	b.SetBytes(int64(len(benchState) + len(frames[0].Data) + len(frames[1].Data)))
	seq := uint64(0)
	for b.Loop() {
		seq += 2
		turn(b, s, "bench-session", seq, frames)
	}
}

func BenchmarkMemoryTurn(b *testing.B) {
	s := sessions.NewMemory(sessions.Options{})
	defer s.Close()
	benchTurns(b, s)
}

// BenchmarkMemoryTurnParallel runs turns of many sessions at once, as a busy
// process does.
func BenchmarkMemoryTurnParallel(b *testing.B) {
	s := sessions.NewMemory(sessions.Options{})
	defer s.Close()
	b.ReportAllocs()
	var next int64
	var mu = make(chan struct{}, 1)
	b.RunParallel(func(pb *testing.PB) {
		mu <- struct{}{}
		next++
		id := "bench-" + strconv.FormatInt(next, 10)
		<-mu
		frames := []sessions.Frame{benchFrame(1), benchFrame(2)}
		seq := uint64(0)
		for pb.Next() {
			seq += 2
			turn(b, s, id, seq, frames)
		}
	})
}

func BenchmarkRedisTurn(b *testing.B) {
	srv := redistest.Start(b)
	opts, err := sessions.ParseRedisURL(srv.URL())
	if err != nil {
		b.Fatal(err)
	}
	s := sessions.NewRedis(redis.NewUniversalClient(opts), sessions.Options{})
	defer s.Close()
	benchTurns(b, s)
}

// BenchmarkRedisBytesPerSession stores 1,000 mid-dialog sessions (a ~400 B
// state and six ~130 B frames each) per iteration and reports Redis memory
// per session two ways: the growth of INFO used_memory, and the sum of
// MEMORY USAGE of the session's keys (state, outbox and the lease counter).
func BenchmarkRedisBytesPerSession(b *testing.B) {
	const perIter = 1000
	ctx := context.Background()
	srv := redistest.Start(b)
	rdb := srv.Client(b)
	opts, err := sessions.ParseRedisURL(srv.URL())
	if err != nil {
		b.Fatal(err)
	}
	s := sessions.NewRedis(redis.NewUniversalClient(opts), sessions.Options{})
	defer s.Close()

	before := usedMemory(b, rdb)
	frames := make([]sessions.Frame, 3)
	payload := len(benchState)
	n := 0
	for i := range 6 {
		payload += len(benchFrame(uint64(i + 1)).Data)
	}
	for b.Loop() {
		for range perIter {
			id := "bytes-" + strconv.Itoa(n)
			n++
			for t := range 2 { // two turns of three frames
				for j := range frames {
					frames[j] = benchFrame(uint64(t*3 + j + 1))
				}
				l, err := s.Acquire(ctx, id)
				if err != nil {
					b.Fatal(err)
				}
				if err := l.Commit(ctx, benchState, frames); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.StopTimer()
	after := usedMemory(b, rdb)

	var usage int64
	const sample = 100
	for i := range sample {
		for _, k := range []string{"state", "out", "fence"} {
			u, err := rdb.MemoryUsage(ctx, "dlg:{bytes-"+strconv.Itoa(i)+"}:"+k, 0).Result()
			if err != nil {
				b.Fatalf("MEMORY USAGE: %v", err)
			}
			usage += u
		}
	}
	if dbsize := rdb.DBSize(ctx).Val(); dbsize != int64(3*n) {
		b.Fatalf("DBSIZE = %d; want %d (state, outbox and fence per session, no leftover locks)", dbsize, 3*n)
	}
	b.ReportMetric(float64(after-before)/float64(n), "redis-bytes/session")
	b.ReportMetric(float64(usage)/sample, "key-bytes/session")
	b.ReportMetric(float64(payload), "payload-bytes/session")
}

func usedMemory(b *testing.B, rdb *redis.Client) int64 {
	info, err := rdb.Info(context.Background(), "memory").Result()
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "used_memory:"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	b.Fatalf("no used_memory in INFO memory: %q", bytes.TrimSpace([]byte(info)))
	return 0
}
