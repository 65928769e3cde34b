package channels_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"testing/fstest"
	"time"

	"github.com/botforge/dialogd/channels"
	"github.com/botforge/dialogd/channels/wstest"
	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

// replayBot greets, answers "hello" with one frame and "go slow" with two,
// the second after a service call to slowAPI.
const replayBot = `name: replaybot
languages: [en]
env:
  api: "%s"
events:
  conversation_start:
    text: "Welcome!"
`

const replayTasks = `name: chat
title: {en: Chat}
nodes:
  - id: start
    type: intent
    utterances:
      en: [hello]
    next: hi
  - id: hi
    type: message
    text: "Hi there."
`

const slowTask = `name: slow
title: {en: Slow}
nodes:
  - id: start
    type: intent
    utterances:
      en: [go slow]
    next: wait
  - id: wait
    type: message
    text: "Working on it."
    next: call
  - id: call
    type: service
    method: GET
    url: "{{env.api}}/slow"
    timeout: 20s
    next: done
  - id: done
    type: message
    text: "Done."
`

// replayServer is the real channel in front of the real runtime and a
// memory store.
type replayServer struct {
	rt  *dialog.Runtime
	ws  *channels.WebSocket
	url string // http://…
	api *wstest.HeldAPI
}

func startReplayServer(t *testing.T) *replayServer {
	t.Helper()
	api := wstest.NewHeldAPI()
	apiSrv := httptest.NewServer(api)
	t.Cleanup(apiSrv.Close)
	fsys := fstest.MapFS{
		"bot.yaml":        {Data: []byte(fmt.Sprintf(replayBot, apiSrv.URL))},
		"tasks/chat.yaml": {Data: []byte(replayTasks)},
		"tasks/slow.yaml": {Data: []byte(slowTask)},
	}
	bot, err := dialog.LoadFS(fsys, "replaybot", nodes.Default())
	if err != nil {
		t.Fatalf("load the test bot: %v", err)
	}
	store := sessions.NewMemory(sessions.Options{})
	t.Cleanup(func() { store.Close() })
	log := slog.New(slog.DiscardHandler)
	rt := dialog.NewRuntime(bot, store, dialog.Options{Logger: log})
	ws := channels.New(rt, channels.Options{Secret: []byte("0123456789abcdef-replay-secret"), Logger: log})
	hs := httptest.NewServer(ws)
	t.Cleanup(func() {
		close(api.Release) // a call still waiting answers
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = ws.Shutdown(ctx)
		hs.Close()
	})
	return &replayServer{rt: rt, ws: ws, url: hs.URL, api: api}
}

// open starts a new session and reads its greeting (seq 1).
func (s *replayServer) open(t *testing.T) *wstest.Client {
	t.Helper()
	c := wstest.DialSession(t, wstest.URL(s.url, nil), nil)
	c.ExpectTurn("Welcome!")
	return c
}

// resume reconnects to from's session, as its user, after lastSeq and
// reads the session frame, which must announce the replay.
func (s *replayServer) resume(t *testing.T, from *wstest.Client, lastSeq uint64) *wstest.Client {
	t.Helper()
	session := from.Session
	q := url.Values{"session": {session}, "last_seq": {fmt.Sprint(lastSeq)}, "user": {from.UserID}}
	c := &wstest.Client{TB: t, Conn: wstest.DialConn(t, wstest.URL(s.url, q), nil), LastSeq: lastSeq}
	f := c.Expect("session")
	if f.SessionID != session || !f.Replay {
		t.Fatalf("resume: session frame %s; want session %q with \"replay\":true", f.Raw, session)
	}
	c.Session = session
	return c
}

// waitCommitted waits until session's outbox holds seq, i.e. a turn that
// ran while nobody listened has been stored.
func (s *replayServer) waitCommitted(t *testing.T, session string, seq uint64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		frames, err := s.rt.Missed(context.Background(), session, seq-1)
		if err == nil && len(frames) > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("seq %d of the session was not committed (err %v)", seq, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func frameSeqs(fs []wstest.Frame) []uint64 {
	out := []uint64{}
	for _, f := range fs {
		out = append(out, f.Seq)
	}
	return out
}

// TestResumeReplayThenMarkerThenLive: a resume gets the frames after its
// last_seq, then the replayed frame naming the highest seq the client now
// has, then live frames. A last_seq beyond what the server has (its state
// expired or was lost) replays nothing and the marker says 0.
func TestResumeReplayThenMarkerThenLive(t *testing.T) {
	srv := startReplayServer(t)
	c := srv.open(t)
	c.Send("hello") // m1, answered with seq 2 while nobody listens
	c.Conn.Close()
	srv.waitCommitted(t, c.Session, 2)

	// The rows run in order on one session: each live turn adds a frame.
	tests := []struct {
		lastSeq    uint64
		wantSeqs   []uint64
		wantMarker uint64
		wantLive   uint64 // seq of the next turn's frame
	}{
		{lastSeq: 0, wantSeqs: []uint64{1, 2}, wantMarker: 2, wantLive: 3},
		{lastSeq: 1, wantSeqs: []uint64{2, 3}, wantMarker: 3, wantLive: 4},
		{lastSeq: 4, wantSeqs: []uint64{}, wantMarker: 4, wantLive: 5},
		{lastSeq: 99, wantSeqs: []uint64{}, wantMarker: 0, wantLive: 6},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprint("last_seq=", tt.lastSeq), func(t *testing.T) {
			c2 := srv.resume(t, c, tt.lastSeq)
			replayed, marker := c2.ReadReplay()
			if got := frameSeqs(replayed); !slices.Equal(got, tt.wantSeqs) {
				t.Errorf("replayed seqs = %v; want %v", got, tt.wantSeqs)
			}
			if marker.LastSeq != tt.wantMarker {
				t.Errorf("replayed frame %s; want last_seq %d", marker.Raw, tt.wantMarker)
			}
			c2.SendMessage(fmt.Sprint("live-", i), "hello")
			_, f := c2.ReadTurn()
			if f.Seq != tt.wantLive || f.ReplyTo != fmt.Sprint("live-", i) || f.Text != "Hi there." {
				t.Errorf("live frame after the marker = %s; want the reply to live-%d with seq %d", f.Raw, i, tt.wantLive)
			}
		})
	}
}

// TestResendAfterMarkerAnsweredOnce: a client re-sends its last message
// right after the replayed frame. The replay (or the client's last_seq)
// already gave it the answer, so the repeated id sends nothing again, and
// the next message's answer is the next frame. Before the replayed frame
// existed, the repeated id's frames came a second time.
func TestResendAfterMarkerAnsweredOnce(t *testing.T) {
	tests := []struct {
		name       string
		lastSeq    uint64 // what the client had when it reconnected
		wantReplay []uint64
	}{
		{"answer missed, replayed", 1, []uint64{2}},
		{"answer seen before the drop", 2, []uint64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startReplayServer(t)
			c := srv.open(t)
			id := c.Send("hello") // seq 2
			c.Conn.Close()
			srv.waitCommitted(t, c.Session, 2)

			c2 := srv.resume(t, c, tt.lastSeq)
			replayed, _ := c2.ReadReplay()
			if got := frameSeqs(replayed); !slices.Equal(got, tt.wantReplay) {
				t.Fatalf("replayed seqs = %v; want %v", got, tt.wantReplay)
			}
			c2.SendMessage(id, "hello") // the re-send of the unacknowledged message
			c2.SendMessage("next", "hello")
			var got []wstest.Frame
			for {
				f := c2.Read()
				if f.Type == "typing" {
					continue
				}
				got = append(got, f)
				if f.ReplyTo == "next" || f.Type == "error" || len(got) > 4 {
					break
				}
			}
			if len(got) != 1 || got[0].ReplyTo != "next" || got[0].Seq != 3 {
				var raw []string
				for _, f := range got {
					raw = append(raw, string(f.Raw))
				}
				t.Errorf("frames after the re-send of %s: %q; want only the reply to next, seq 3", id, raw)
			}
		})
	}
}

// TestResendInFlightAfterResume: the connection drops while a message's
// turn runs (its service call is slow). The resume replays nothing of it;
// the client re-sends the message after the marker; the turn finishes and
// the re-sent id gets the turn's frames, each exactly once.
func TestResendInFlightAfterResume(t *testing.T) {
	srv := startReplayServer(t)
	c := srv.open(t)
	id := c.Send("go slow")
	<-srv.api.Entered // the turn is in its service call
	c.Conn.Close()

	c2 := srv.resume(t, c, 1)
	replayed, marker := c2.ReadReplay()
	if len(replayed) != 0 || marker.LastSeq != 1 {
		t.Fatalf("replay = %v, last_seq %d; want nothing, last_seq 1 (the turn is still running)", frameSeqs(replayed), marker.LastSeq)
	}
	c2.SendMessage(id, "go slow")
	srv.api.Release <- struct{}{}
	if got, f := c2.ReadTurn(); got != "Working on it. | Done." || f.Seq != 3 {
		t.Fatalf("answer to the re-sent %s = %q ending at seq %d; want %q ending at seq 3", id, got, f.Seq, "Working on it. | Done.")
	}
	c2.SendMessage("next", "hello")
	if got, f := c2.ReadTurn(); got != "Hi there." || f.Seq != 4 || f.ReplyTo != "next" {
		t.Errorf("next turn = %q %s; want only the reply to next, seq 4 (no frame of %s again)", got, f.Raw, id)
	}
}
