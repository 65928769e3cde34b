package channels

import (
	"context"
	"slices"
	"testing"
)

// greetingConv is a fakeConv that can show its greeting without storing
// it (Greeter), or declines to when decline is set.
type greetingConv struct {
	*fakeConv
	decline bool
}

func (g *greetingConv) Greet(ctx context.Context, session, user string) ([][]byte, bool, error) {
	g.record("greet %s", session)
	if g.decline {
		return nil, false, nil
	}
	return [][]byte{[]byte(`{"type":"message","seq":1,"text":"Hello!","input":"expecting"}`)}, true, nil
}

func startGreetingServer(t *testing.T, decline bool) (*testServer, *greetingConv) {
	t.Helper()
	conv := &greetingConv{fakeConv: newFakeConv(), decline: decline}
	ts := startServer(t, conv.fakeConv, Options{})
	ts.ws.conv = conv
	return ts, conv
}

// TestGreeterDefersStart: with a Greeter, a connect shows the greeting
// and stores nothing (no Start); the first input stores the start, then
// runs; a connect that never sends an input never calls Start.
func TestGreeterDefersStart(t *testing.T) {
	ts, conv := startGreetingServer(t, false)
	idle, idleID := ts.openSession(t)
	c, id := ts.openSession(t)
	if got := roundTrip(t, c, "m1", "hi"); got.ReplyTo != "m1" {
		t.Fatalf("reply = %s; want the reply to m1", got.Raw)
	}
	roundTrip(t, c, "m2", "again")
	send(t, idle, `{"type":"end","id":"e1"}`)                // an end stores nothing either
	send(t, idle, `{"type":"message","id":"b1","text":" "}`) // a bad frame neither
	if f := expectType(t, idle, "error"); f.Code != CodeBadFrame {
		t.Errorf("blank message: %s; want a bad_frame error", f.Raw)
	}
	want := []string{
		"greet " + idleID,
		"greet " + id,
		"start " + id,
		"handle " + id + " id=m1 text=hi payload=",
		"handle " + id + " id=m2 text=again payload=",
	}
	if got := conv.Calls(); !slices.Equal(got, want) {
		t.Errorf("calls = %q; want %q", got, want)
	}
}

// TestGreeterDeclines: a Greeter that cannot show the start without
// running it gets Start at once, as without a Greeter.
func TestGreeterDeclines(t *testing.T) {
	ts, conv := startGreetingServer(t, true)
	c, id := ts.openSession(t)
	roundTrip(t, c, "m1", "hi")
	want := []string{"greet " + id, "start " + id, "handle " + id + " id=m1 text=hi payload="}
	if got := conv.Calls(); !slices.Equal(got, want) {
		t.Errorf("calls = %q; want %q", got, want)
	}
}

var _ Greeter = (*greetingConv)(nil)
