package dialog

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

// stateSeeds are stored states of real conversations of testdata/ok (a
// task waiting for an entity, a confirmation, a parked-looking state) and
// hand-written broken ones: what the session store can hand back.
func stateSeeds(f *testing.F) [][]byte {
	f.Helper()
	store := sessions.NewMemory(sessions.Options{})
	defer store.Close()
	bot, err := LoadDir("testdata/ok")
	if err != nil {
		f.Fatal(err)
	}
	rt := NewRuntime(bot, store, Options{Logger: slog.New(slog.DiscardHandler)})
	ctx := context.Background()
	var seeds [][]byte
	for i, text := range []string{"create a lead", "Ada Lovelace", "not an email", "ada@example.com", "something else", "yes", "create a lead"} {
		if _, err := rt.Handle(ctx, "seed", "u1", nodes.Input{ID: "m" + string(rune('a'+i)), Text: text}); err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, storedState(f, store, "seed"))
	}
	return append(seeds,
		[]byte(`{"v":1,"c":{}}`),
		[]byte(`{"v":1,"t":"lead","n":"email","w":1,"ns":{"r":7,"d":{"x":[1,{"y":null}]}},"c":{"n":{"create":{"response":{"status":201,"body":{"id":"00Q"}}}}}}`),
		[]byte(`{"v":1,"t":"lead","n":"nowhere","w":2,"pe":-1,"p":"other","c":{}}`),
		[]byte(`{"v":1,"t":"gone","n":"start","w":1,"c":{"en":{"size":"x"}}}`),
		[]byte(`{"v":1,"s":18446744073709551615,"m":"2:ma,5,3;2:mb,0;","c":{}}`),
		[]byte(`{"v":1,"m":"9:x,1;","c":{}}`),
		[]byte(`{"v":2,"c":{}}`),
		[]byte(`{"v":1,"c":{"cv":{"a":{"v":1,"e":-5}}},"pc":["k1","k1"]}`),
		[]byte(`null`),
		[]byte(`{`),
	)
}

// storedState returns the raw state a store keeps for session.
func storedState(tb testing.TB, store sessions.Store, session string) []byte {
	tb.Helper()
	ctx := context.Background()
	l, err := store.Acquire(ctx, storeKey(session))
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Release(ctx)
	return bytes.Clone(l.State())
}

// FuzzDecodeState: whatever bytes the store hands back, decodeState does
// not panic, and a state it accepts encodes, decodes again and re-encodes
// to the same bytes (what the runtime writes back it can read).
func FuzzDecodeState(f *testing.F) {
	for _, s := range stateSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := decodeState(b)
		if err != nil || st == nil {
			return
		}
		once, err := st.encode()
		if err != nil {
			t.Fatalf("encode of accepted state %q: %v", b, err)
		}
		again, err := decodeState(once)
		if err != nil || again == nil {
			t.Fatalf("decode of re-encoded state %q = %v, %v; want it accepted", once, again, err)
		}
		twice, err := again.encode()
		if err != nil {
			t.Fatalf("second encode: %v", err)
		}
		if !bytes.Equal(once, twice) {
			t.Fatalf("state does not round-trip:\n first  %s\n second %s", once, twice)
		}
	})
}

// FuzzStoredState: a turn on a session whose stored state is any bytes
// (corrupt, hostile, from another version) neither panics nor fails, and
// leaves a state the runtime can read back.
func FuzzStoredState(f *testing.F) {
	for _, s := range stateSeeds(f) {
		f.Add(s, "yes")
		f.Add(s, "Ada Lovelace")
	}
	bot, err := LoadDir("testdata/ok")
	if err != nil {
		f.Fatal(err)
	}
	store := sessions.NewMemory(sessions.Options{})
	f.Cleanup(func() { store.Close() })
	rt := NewRuntime(bot, store, Options{Logger: slog.New(slog.DiscardHandler)})
	f.Fuzz(func(t *testing.T, state []byte, text string) {
		ctx := context.Background()
		const session = "fuzz"
		l, err := store.Acquire(ctx, storeKey(session))
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Commit(ctx, state, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := rt.Handle(ctx, session, "u1", nodes.Input{ID: "fuzz-msg", Text: text}); err != nil {
			t.Fatalf("Handle over stored state %q: %v", state, err)
		}
		after := storedState(t, store, session)
		if st, err := decodeState(after); err != nil || st == nil {
			t.Fatalf("after a turn over %q the stored state %q does not decode: %v", state, after, err)
		}
	})
}
