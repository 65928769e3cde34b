package dialog_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

// gate is an Authorizer that asks for authorization until granted.
type gate struct {
	mu      sync.Mutex
	granted map[string]bool
	revoked []string
	links   atomic.Int32
}

func (g *gate) Apply(_ context.Context, t *nodes.Turn, profile string, req *http.Request) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.granted[t.User+"/"+profile] {
		n := g.links.Add(1)
		return &nodes.AuthorizationRequiredError{Profile: profile, URL: "https://login.example/authorize?n=" + string(rune('0'+n)), Text: "Please connect your CRM."}
	}
	req.Header.Set("Authorization", "Bearer ok")
	return nil
}

func (g *gate) grant(user, profile string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.granted == nil {
		g.granted = map[string]bool{}
	}
	g.granted[user+"/"+profile] = true
}

func (g *gate) Revoke(_ context.Context, user, profile string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.granted[user+"/"+profile] {
		return errors.New("not connected")
	}
	delete(g.granted, user+"/"+profile)
	g.revoked = append(g.revoked, user+"/"+profile)
	return nil
}

type clock struct{ t atomic.Int64 }

func (c *clock) now() time.Time      { return time.Unix(c.t.Load(), 0) }
func (c *clock) add(d time.Duration) { c.t.Add(int64(d / time.Second)) }

func newParkChat(t *testing.T) (*chat, *gate, *clock) {
	t.Helper()
	newLeadAPI(t)
	bot, err := dialog.LoadDir("testdata/auth")
	if err != nil {
		t.Fatal(err)
	}
	g := &gate{}
	clk := &clock{}
	clk.t.Store(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC).Unix())
	rt := dialog.NewRuntime(bot, sessions.NewMemory(sessions.Options{}), dialog.Options{Auth: g, Now: clk.now, ParkTTL: 10 * time.Minute})
	return &chat{t: t, rt: rt, sid: "s-" + t.Name()}, g, clk
}

func TestParkedTaskResumesAfterGrant(t *testing.T) {
	c, g, _ := newParkChat(t)
	c.say("create a lead")
	rs := c.say("Ann")
	l := last(t, rs)
	if l.Type != nodes.ReplyAuthorize || l.Profile != "crm" || !strings.HasPrefix(l.URL, "https://login.example/") {
		t.Fatalf("parked turn ends with %+v, want an authorize frame", l)
	}
	g.grant("u1", "crm")
	frames, err := c.rt.Resume(context.Background(), c.sid, "u1")
	if err != nil {
		t.Fatal(err)
	}
	if got := texts(decode(t, frames)); got != "Created lead 00Q000000000000001" {
		t.Errorf("resumed: %q", got)
	}
	// A second resume (a replayed callback) does nothing.
	if frames, err := c.rt.Resume(context.Background(), c.sid, "u1"); err != nil || len(frames) != 0 {
		t.Errorf("second Resume = %d frames, %v; want none", len(frames), err)
	}
}

func TestParkedTaskInputs(t *testing.T) {
	c, g, _ := newParkChat(t)
	c.say("create a lead")
	c.say("Ann")
	before := g.links.Load()
	rs := c.say("what now")
	if l := last(t, rs); l.Type != nodes.ReplyAuthorize || !strings.Contains(texts(rs), "still waiting") {
		t.Errorf("other input while parked: %q ending %+v; want the link again", texts(rs), l)
	}
	if g.links.Load() != before+1 {
		t.Errorf("a new link was not made")
	}
	rs = c.say("hello")
	if l := last(t, rs); l.Type != nodes.ReplyAuthorize || len(rs) < 2 || rs[0].Type != nodes.ReplyMessage || strings.Contains(texts(rs), "still waiting") {
		t.Errorf("small talk while parked: %q ending %+v; want an answer, then the link again", texts(rs), l)
	}
	rs = c.say("something else")
	if l := last(t, rs); !strings.Contains(l.Text, "Put it on hold and do Something else first?") || len(l.QuickReplies) != 2 {
		t.Errorf("new intent while parked: %+v", l)
	}
	// While that question waits: small talk is answered and the question
	// asked again; another request replaces the task asked about.
	rs = c.say("hello")
	if got := texts(rs); !strings.HasPrefix(got, "Hello") || !strings.HasSuffix(got, "Put it on hold and do Something else first?") {
		t.Errorf("small talk at the hold question: %q; want an answer, then the question again", got)
	}
	rs = c.say("take a note")
	if got := texts(rs); !strings.Contains(got, "Put it on hold and do Take a note first?") {
		t.Errorf("another request at the hold question: %q; want the question about it", got)
	}
	rs = c.say("no")
	if l := last(t, rs); l.Type != nodes.ReplyAuthorize || !strings.Contains(texts(rs), "finish Create a lead first") {
		t.Errorf("declining the switch: %q", texts(rs))
	}
}

// A new intent at the authorize prompt holds the parked task; once the new
// task ends, the parked one runs its node again: the link again, or the
// call when access was granted meanwhile.
func TestParkedTaskHeldForAnotherIntent(t *testing.T) {
	for _, granted := range []bool{false, true} {
		t.Run(map[bool]string{false: "not granted", true: "granted meanwhile"}[granted], func(t *testing.T) {
			c, g, _ := newParkChat(t)
			c.say("create a lead")
			c.say("Ann")
			c.say("something else")
			if granted {
				g.grant("u1", "crm")
			}
			rs := c.say("yes")
			// Something else asks nothing: the parked task comes back
			// quietly, its node run again.
			want := "Did something else. | "
			if granted {
				want += "Created lead 00Q000000000000001"
			} else {
				want += "Please connect your CRM."
			}
			if got := texts(rs); got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
			if l := last(t, rs); (l.Type == nodes.ReplyAuthorize) == granted {
				t.Errorf("last frame %+v; granted %v", l, granted)
			}
		})
	}
}

func TestParkedTaskExpiresDistinctFromCancel(t *testing.T) {
	c, _, clk := newParkChat(t)
	c.say("create a lead")
	c.say("Ann")
	clk.add(11 * time.Minute)
	got := texts(c.say("hello?"))
	if !strings.Contains(got, "authorization link has expired") || strings.Contains(got, "canceled") {
		t.Errorf("after the park TTL: %q; want the expiry message", got)
	}
	c.say("create a lead")
	c.say("Bob")
	if got := texts(c.say("cancel")); strings.Contains(got, "expired") || !strings.Contains(got, "canceled") {
		t.Errorf("cancel while parked: %q", got)
	}
	// Resume after expiry tells the user instead of running the node.
	c.say("create a lead")
	c.say("Cy")
	clk.add(11 * time.Minute)
	frames, err := c.rt.Resume(context.Background(), c.sid, "u1")
	if err != nil {
		t.Fatal(err)
	}
	if got := texts(decode(t, frames)); !strings.Contains(got, "expired") {
		t.Errorf("Resume after expiry: %q", got)
	}
}

func TestDisconnectCommand(t *testing.T) {
	c, g, _ := newParkChat(t)
	g.grant("u1", "crm")
	for _, say := range []string{"disconnect crm", "CRM trennen", "crmの連携を解除"} {
		g.grant("u1", "crm")
		if got := texts(c.say(say)); !strings.Contains(got, "crm") || strings.Contains(got, "couldn't") && !strings.Contains(got, "解除") {
			t.Errorf("%q: %q", say, got)
		}
	}
	if len(g.revoked) != 3 {
		t.Errorf("revoked %v, want three revocations", g.revoked)
	}
	if got := texts(c.say("disconnect crm")); !strings.Contains(got, "couldn't disconnect") {
		t.Errorf("disconnect without a grant: %q", got)
	}
}

func TestParkedTaskDenied(t *testing.T) {
	c, _, _ := newParkChat(t)
	c.say("create a lead")
	c.say("Ann")
	frames, err := c.rt.Denied(context.Background(), c.sid, "u1")
	if err != nil {
		t.Fatal(err)
	}
	rs := decode(t, frames)
	if l := last(t, rs); !strings.Contains(l.Text, "Access was not granted, so I stopped Create a lead") || l.Input != nodes.InputAccepting {
		t.Errorf("Denied = %+v", rs)
	}
	if got := texts(c.say("hello?")); strings.Contains(got, "waiting") {
		t.Errorf("after a denial the task is over; got %q", got)
	}
	if frames, err := c.rt.Denied(context.Background(), c.sid, "u1"); err != nil || len(frames) != 0 {
		t.Errorf("Denied without a parked task = %d frames, %v", len(frames), err)
	}
}

// A task held while another waits for authorization comes back when the
// authorization's outcome (granted or denied) ends the other one.
func TestHeldTaskResumesAfterAuthorizationOutcome(t *testing.T) {
	for _, granted := range []bool{true, false} {
		t.Run(map[bool]string{true: "granted", false: "denied"}[granted], func(t *testing.T) {
			c, g, _ := newParkChat(t)
			c.say("take a note")
			if got := texts(c.say("create a lead")); got != "Okay, let's do Create a lead first. I'll come back to Take a note afterwards. | Name?" {
				t.Fatalf("interruption: %q", got)
			}
			if l := last(t, c.say("Ann")); l.Type != nodes.ReplyAuthorize {
				t.Fatalf("not parked: %+v", l)
			}
			var frames [][]byte
			var err error
			want := "Access was not granted, so I stopped Create a lead. Ask again whenever you like. | Back to Take a note: | Note?"
			if granted {
				g.grant("u1", "crm")
				frames, err = c.rt.Resume(context.Background(), c.sid, "u1")
				want = "Created lead 00Q000000000000001 | Back to Take a note: | Note?"
			} else {
				frames, err = c.rt.Denied(context.Background(), c.sid, "u1")
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := texts(decode(t, frames)); got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
			if got := texts(c.say("buy milk")); got != "Noted: buy milk." {
				t.Errorf("the held task's answer: %q", got)
			}
		})
	}
}
