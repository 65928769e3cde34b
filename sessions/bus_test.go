package sessions

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/botforge/dialogd/sessions/redistest"
)

func TestBusDeliversAcrossStores(t *testing.T) {
	srv := redistest.Start(t)
	open := func() *Redis { return NewRedis(redis.NewClient(&redis.Options{Addr: srv.Addr}), Options{}) }
	mem := NewMemory(Options{})
	t.Cleanup(func() { mem.Close() })
	a, b := open(), open()
	t.Cleanup(func() { a.Close(); b.Close() })
	for name, pair := range map[string][2]Bus{"memory": {mem, mem}, "redis": {a, b}} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			got := make(chan string, 4)
			ready := make(chan struct{})
			go func() {
				// Subscribe blocks until ctx ends, so the publisher below
				// repeats until the subscription is active.
				close(ready)
				_ = pair[1].Subscribe(ctx, func(s string, frames [][]byte) {
					got <- fmt.Sprintf("%s:%d:%s", s, len(frames), frames[len(frames)-1])
				})
			}()
			<-ready
			deadline := time.After(5 * time.Second)
			for i := 0; ; i++ {
				if err := pair[0].Publish(ctx, "sess-1", [][]byte{[]byte(`{"seq":1}`), []byte(fmt.Sprintf(`{"seq":%d}`, i+2))}); err != nil {
					t.Fatal(err)
				}
				select {
				case s := <-got:
					if want := fmt.Sprintf(`sess-1:2:{"seq":%d}`, i+2); s != want {
						t.Fatalf("got %q, want %q", s, want)
					}
					return
				case <-time.After(50 * time.Millisecond):
				case <-deadline:
					t.Fatal("nothing delivered")
				}
			}
		})
	}
}

func FuzzDecodeDelivery(f *testing.F) {
	f.Add(encodeDelivery("s", [][]byte{[]byte("a"), nil}))
	f.Add([]byte{0, 0, 0, 9, 'x'})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, frames, err := decodeDelivery(b)
		if err != nil {
			return
		}
		if again := encodeDelivery(s, frames); string(again) != string(b) {
			t.Fatalf("re-encoding differs: %x vs %x", again, b)
		}
	})
}
