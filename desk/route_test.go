package desk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestRouting: a conversation goes to an available agent of its queue's
// teams with free capacity, the one idle longest; an agent at capacity is
// busy and gets nothing more until a conversation ends.
func TestRouting(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			clk := &clock{now: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
			d, _ := newTestDesk(t, open(t), clk)
			// Ben is available first, then Ann, then Cid: Ben has been
			// idle longest.
			for _, a := range []string{"ben", "ann", "cid"} {
				if _, err := d.SetState(ctx, a, Available, "", OriginAgent); err != nil {
					t.Fatal(err)
				}
				clk.advance(time.Minute)
			}
			var got []string
			var ids []string
			for i := range 6 {
				// The fifth asks to wait, the sixth does not.
				tk, err := d.Request(ctx, Request{Session: fmt.Sprint("s", i), User: "u", Queue: "support", Wait: i == 4})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, tk.ID)
				got = append(got, fmt.Sprintf("%s/%d/%v", tk.Agent, tk.Position, tk.NoAgent))
				clk.advance(time.Second)
			}
			// Ben, idle longest, takes the first and is busy (capacity
			// 1); Ann and then Cid by idle time; Ann her second (given
			// one at 9:03:01, she has been idle longer than Cid, given
			// one at 9:03:02); the fifth waits at place 1; the sixth,
			// which will not wait, finds nobody.
			want := "Ben/0/false Ann/0/false Cid/0/false Ann/0/false /1/false /0/true"
			if g := strings.Join(got, " "); g != want {
				t.Errorf("assignments %q; want %q", g, want)
			}
			for agent, want := range map[string]State{"ben": Busy, "ann": Busy, "cid": Busy} {
				st, _ := d.Status(ctx, agent)
				if st.State != want {
					t.Errorf("%s is %s; want %s", agent, st.State, want)
				}
			}
			// Ben ends his: the waiting one is his at once, and he stays busy.
			clk.advance(time.Minute)
			if err := d.End(ctx, "ben", ids[0]); err != nil {
				t.Fatal(err)
			}
			b, err := d.store.Load(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if c := b.Convs[ids[4]]; c == nil || c.Agent != "ben" {
				t.Errorf("the waiting conversation is %+v; want it given to ben", c)
			}
			if b.Convs[ids[0]] != nil {
				t.Error("the ended conversation is still on the board")
			}
			if st := b.Agents["ben"]; st.State != Busy || st.Active != 1 {
				t.Errorf("ben: %s with %d; want busy with 1", st.State, st.Active)
			}
			// Someone else's conversation cannot be ended.
			if err := d.End(ctx, "cid", ids[1]); !errors.Is(err, ErrNotYours) {
				t.Errorf("cid ending ben's: %v; want ErrNotYours", err)
			}
		})
	}
}

// TestRoutingNeedsAnOpenPage: with a page timeout, an available agent
// whose desk page was not seen within it gets nothing.
func TestRoutingNeedsAnOpenPage(t *testing.T) {
	ctx := context.Background()
	clk := &clock{now: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
	t.Setenv("DESK_PW", "pw-123456")
	d, err := New("testbot", mustDecode(t, testDesk), NewMemoryStore(), &usersLog{}, Options{Now: clk.Now, PageTimeout: 45 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.SetState(ctx, "ben", Available, "", OriginAgent); err != nil {
		t.Fatal(err)
	}
	ask := func(step string, wantAgent string) {
		t.Helper()
		tk, err := d.Request(ctx, Request{Session: step, User: "u", Queue: "support"})
		if err != nil {
			t.Fatal(err)
		}
		if tk.Agent != wantAgent || tk.NoAgent != (wantAgent == "") {
			t.Errorf("%s: ticket %+v; want agent %q", step, tk, wantAgent)
		}
	}
	ask("no page yet", "")
	d.hub.markSeen(ctx, "ben")
	clk.advance(30 * time.Second)
	ask("page seen 30s ago", "Ben")
	if _, err := d.SetState(ctx, "ann", Available, "", OriginAgent); err != nil {
		t.Fatal(err)
	}
	d.hub.markSeen(ctx, "ann")
	clk.advance(time.Minute)
	ask("page gone a minute", "")
}
