package channels

import (
	"strconv"
	"testing"
	"time"
)

// A frame the replay already sent, delivered again after the replayed
// frame (the bus slower than the outbox read), is not written twice.
func TestDeliverAfterReplayNotTwice(t *testing.T) {
	conv := &pausedMissedConv{fakeConv: newFakeConv(), read: make(chan struct{}), release: make(chan struct{})}
	ts := startServer(t, conv.fakeConv, Options{})
	ts.ws.conv = conv
	c, id := ts.openSession(t)
	roundTrip(t, c, "m1", "one") // seq 2
	c.Close()
	early := conv.push(id, "committed before the replay read") // seq 3
	c2 := ts.dial(t, ts.resumeQuery(id, "2"))
	expectType(t, c2, "session")
	<-conv.read
	close(conv.release)
	for i, w := range []string{"message 3", "replayed 3"} {
		f := readFrame(t, c2)
		got := f.Type + " " + strconv.FormatUint(max(f.Seq, f.LastSeq), 10)
		if got != w {
			t.Fatalf("frame %d = %s; want %s", i, f.Raw, w)
		}
	}
	ts.ws.Deliver(id, [][]byte{early}) // the bus message for seq 3 arrives late
	c2.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	_, data, err := c2.ReadMessage()
	if err == nil {
		t.Errorf("frame after replayed: %s (seq 3 sent twice)", data)
	}
}
