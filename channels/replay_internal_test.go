package channels

import (
	"context"
	"strconv"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/botforge/dialogd/nodes"
)

// pausedMissedConv is a fakeConv whose Missed reads the outbox, then
// reports on read and waits for release before it returns (so that a test
// can deliver frames between the read and the replay), or fails with err.
type pausedMissedConv struct {
	*fakeConv
	read    chan struct{}
	release chan struct{}
	err     error
}

func (p *pausedMissedConv) Missed(ctx context.Context, session string, after uint64) ([][]byte, error) {
	if p.err != nil {
		return nil, p.err
	}
	frames, err := p.fakeConv.Missed(ctx, session, after)
	p.read <- struct{}{}
	<-p.release
	return frames, err
}

// push numbers a frame outside any turn, as a resumed dialog does.
func (p *pausedMissedConv) push(session, text string) []byte {
	return p.reply(session, nodes.Reply{Type: nodes.ReplyMessage, Text: text, Input: nodes.InputAccepting})
}

// TestDeliverDuringReplay: frames pushed to a connection while its replay
// runs come after the replayed frame, and a pushed frame the replay
// already sent is not sent twice. Before, they went out at once, ahead of
// the replay, and the replay repeated them.
func TestDeliverDuringReplay(t *testing.T) {
	conv := &pausedMissedConv{fakeConv: newFakeConv(), read: make(chan struct{}), release: make(chan struct{})}
	ts := startServer(t, conv.fakeConv, Options{})
	ts.ws.conv = conv // the same fake, with the paused Missed
	c, id := ts.openSession(t)
	roundTrip(t, c, "m1", "one") // seq 2
	c.Close()
	early := conv.push(id, "committed before the replay read") // seq 3, nobody listens

	c2 := ts.dial(t, ts.resumeQuery(id, "2"))
	if f := expectType(t, c2, "session"); !f.Replay {
		t.Fatalf("session frame %s; want \"replay\":true", f.Raw)
	}
	<-conv.read                                              // the replay has read seqs 2 and 3
	late := conv.push(id, "committed after the replay read") // seq 4
	// As a Deliver that raced the replay: the early frame again, the late one.
	if !ts.ws.Deliver(id, [][]byte{early}) || !ts.ws.Deliver(id, [][]byte{late}) {
		t.Fatal("Deliver to a replaying connection reported no connection took the frames")
	}
	close(conv.release)

	want := []string{"message 3", "replayed 3", "message 4"}
	for i, w := range want {
		f := readFrame(t, c2)
		got := f.Type + " " + strconv.FormatUint(max(f.Seq, f.LastSeq), 10)
		if got != w {
			t.Fatalf("frame %d after the session frame = %s; want %s", i, f.Raw, w)
		}
	}
	if got := roundTrip(t, c2, "m2", "two"); got.Seq != 5 {
		t.Errorf("next frame = %s; want the reply to m2 with seq 5 (nothing repeated)", got.Raw)
	}
}

// TestReplayFailureClosesTryAgainLater: when the replay cannot be read
// the client gets the error and close code 1013, and reconnects later to
// get its replay, rather than waiting for a replayed frame that never
// comes.
func TestReplayFailureClosesTryAgainLater(t *testing.T) {
	conv := &pausedMissedConv{fakeConv: newFakeConv(), err: codedError{code: CodeUnavailable, detail: "store down"}}
	ts := startServer(t, conv.fakeConv, Options{})
	ts.ws.conv = conv
	_, id := ts.openSession(t)

	c := ts.dial(t, ts.resumeQuery(id, "1"))
	expectType(t, c, "session")
	if f := expectType(t, c, "error"); f.Code != CodeUnavailable || f.ReplyTo != "" {
		t.Errorf("error frame %s; want code %s without reply_to", f.Raw, CodeUnavailable)
	}
	if code := closeCode(t, c); code != websocket.CloseTryAgainLater {
		t.Errorf("close code = %d; want %d (try again later)", code, websocket.CloseTryAgainLater)
	}
}
