package web

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// clientFrame is a protocol v1 frame sent by the widget. It is decoded
// strictly, so a field the protocol does not define fails the test.
type clientFrame struct {
	Type    string `json:"type"`
	ID      string `json:"id"`
	Text    string `json:"text"`
	Payload string `json:"payload,omitempty"`
}

// botSession is one conversation of the scripted server: its numbering
// and every numbered frame sent so far.
type botSession struct {
	seq    int
	outbox [][]byte // outbox[i] has seq i+1
}

// scriptedBot is a small protocol v1 server with a fixed script. It is the
// counterpart the browser test drives; the real channel lives elsewhere.
type scriptedBot struct {
	t      *testing.T
	origin string // the only Origin allowed to connect

	mu       sync.Mutex
	sessions map[string]*botSession
	conn     *websocket.Conn // the current connection, nil if none
	refuse   bool            // answer upgrades with 503
	users    map[string]bool // anonymous user ids issued so far
	answered map[string][][]byte

	connects chan url.Values    // query of every accepted connection
	refused  chan struct{}      // one value per refused connection
	received chan clientFrame   // every client frame, in order
	release  chan struct{}      // lets the reply after a typing frame go
	authHits chan *http.Request // requests for the authorize URL
}

func newScriptedBot(t *testing.T) *scriptedBot {
	return &scriptedBot{
		t:        t,
		sessions: make(map[string]*botSession),
		users:    make(map[string]bool),
		answered: make(map[string][][]byte),
		connects: make(chan url.Values, 32),
		refused:  make(chan struct{}, 256),
		received: make(chan clientFrame, 32),
		release:  make(chan struct{}),
		authHits: make(chan *http.Request, 8),
	}
}

var upgrader = websocket.Upgrader{ReadBufferSize: 4096, WriteBufferSize: 4096}

// ServeHTTP handles GET /ws.
func (b *scriptedBot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	refuse := b.refuse
	b.mu.Unlock()
	if refuse {
		b.refused <- struct{}{}
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	up := upgrader
	up.CheckOrigin = func(r *http.Request) bool { return r.Header.Get("Origin") == b.origin }
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		b.t.Errorf("upgrade: %v", err)
		return
	}
	defer conn.Close()
	conn.SetReadLimit(8 << 10)

	q := r.URL.Query()
	// The widget presents its ids in a hello frame, never in the URL.
	if q.Get("hello") != "1" {
		b.t.Errorf("widget connected to %s without hello=1; want its ids in a hello frame", r.URL)
	} else if q = b.readHello(conn, q); q == nil {
		return
	}
	if q.Get("identity") == badIdentity {
		b.refuseIdentity(conn)
		b.connects <- q
		return
	}
	b.mu.Lock()
	// Like the real channel: an identity token names the user "id:<sub>";
	// otherwise a user id this server issued is kept and anything else
	// gets a fresh one.
	user := q.Get("user")
	switch {
	case q.Get("identity") != "":
		user = "id:tester"
	case !b.users[user]:
		user = "u-" + newID()
		b.users[user] = true
	}
	sid := q.Get("session")
	sess, ok := b.sessions[sid]
	if !ok {
		sid = newID()
		sess = &botSession{}
		b.sessions[sid] = sess
	}
	if b.conn != nil {
		b.conn.Close()
	}
	b.conn = conn
	b.write(conn, map[string]any{"type": "session", "session_id": sid, "user_id": user})
	if ok {
		// Resume. The script re-sends the last frame the client says it
		// has, on purpose: the widget must drop what it already rendered.
		last, _ := strconv.Atoi(q.Get("last_seq"))
		for i := max(last-1, 0); i < len(sess.outbox); i++ {
			b.writeRaw(conn, sess.outbox[i])
		}
	}
	b.mu.Unlock()
	b.connects <- q

	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return
		}
		var f clientFrame
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			b.t.Errorf("client frame %s: %v", data, err)
			return
		}
		b.received <- f
		b.answer(conn, sid, f)
	}
}

// readHello reads the hello frame of a connection opened with ?hello=1
// (as the channel does) and returns the query with the hello's fields, as
// if the client had sent them there: the tests check what the client
// presented either way. Ids or a token in such a URL fail the test: they
// belong in the hello frame, out of logged URLs.
func (b *scriptedBot) readHello(conn *websocket.Conn, q url.Values) url.Values {
	for _, k := range []string{"session", "last_seq", "user", "identity"} {
		if q.Has(k) {
			b.t.Errorf("widget URL carries %s=…; want it in the hello frame only", k)
		}
	}
	_, data, err := conn.ReadMessage()
	if err != nil {
		b.t.Logf("hello: %v", err)
		return nil
	}
	var h struct {
		Type     string  `json:"type"`
		Session  string  `json:"session"`
		LastSeq  *uint64 `json:"last_seq"`
		User     string  `json:"user"`
		Identity *string `json:"identity"`
		Lang     string  `json:"lang"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil || h.Type != "hello" {
		b.t.Errorf("first frame %s: want a hello frame (%v)", data, err)
		return nil
	}
	out := url.Values{}
	for k, v := range q {
		if k != "hello" {
			out[k] = v
		}
	}
	set := func(k, v string) {
		if v != "" {
			out.Set(k, v)
		}
	}
	set("session", h.Session)
	set("user", h.User)
	if h.Lang != "" && h.Lang != q.Get("lang") {
		b.t.Errorf("hello lang %q; want the data-lang %q the URL has too", h.Lang, q.Get("lang"))
	}
	if h.LastSeq != nil {
		out.Set("last_seq", strconv.FormatUint(*h.LastSeq, 10))
	}
	if h.Identity != nil {
		out.Set("identity", *h.Identity)
	}
	return out
}

// badIdentity is the identity token the scripted server refuses.
const badIdentity = "expired.token"

// refuseIdentity answers like the channel does for a refused identity
// token: a bad_identity error frame, then close code 1008. It waits briefly
// for the client's close frame so that nothing is lost to a reset.
func (b *scriptedBot) refuseIdentity(conn *websocket.Conn) {
	data, _ := json.Marshal(map[string]any{"type": "error", "code": "bad_identity", "message": "identity token has expired"})
	if err := conn.WriteMessage(websocket.TextMessage, data); err != nil {
		b.t.Logf("write: %v", err)
		return
	}
	deadline := time.Now().Add(2 * time.Second)
	_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.ClosePolicyViolation, "bad identity"), deadline)
	_ = conn.SetReadDeadline(deadline)
	for {
		if _, _, err := conn.NextReader(); err != nil {
			return
		}
	}
}

// answer runs the script for one client frame. A client id seen before
// gets its earlier frames again, as protocol v1 requires.
func (b *scriptedBot) answer(conn *websocket.Conn, sid string, f clientFrame) {
	b.mu.Lock()
	if frames, ok := b.answered[f.ID]; ok {
		for _, fr := range frames {
			b.writeRaw(conn, fr)
		}
		b.mu.Unlock()
		return
	}
	b.mu.Unlock()

	reply := func(fr map[string]any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		fr["reply_to"] = f.ID
		data := b.number(sid, fr)
		b.answered[f.ID] = append(b.answered[f.ID], data)
		b.writeRaw(conn, data)
	}
	switch {
	case f.Type == "message" && f.Text == "hello":
		reply(map[string]any{"type": "message", "text": "Hi! What can I do?", "input": "accepting",
			"buttons": []map[string]string{{"title": "Create a lead", "payload": "create_lead"}}})
	case f.Type == "postback" && f.Payload == "create_lead":
		b.mu.Lock()
		b.write(conn, map[string]any{"type": "typing"})
		b.mu.Unlock()
		<-b.release
		reply(map[string]any{"type": "message", "text": "What's the first name?", "input": "expecting"})
	case f.Type == "message" && f.Text == "Ada":
		reply(map[string]any{"type": "message", "input": "ignoring",
			"text": `<img src=x onerror="window.__xss=1"> Nice to meet you, Ada`})
		reply(map[string]any{"type": "authorize", "url": b.origin + "/auth/start?state=abc",
			"profile": "salesforce", "text": "Please sign in to Salesforce."})
	case f.Type == "message" && f.Text == "are you there?":
		reply(map[string]any{"type": "message", "text": "Still here.", "input": "expecting",
			"quick_replies": []map[string]string{{"title": "Yes", "payload": "yes"}, {"title": "No", "payload": "no"}}})
	case f.Type == "postback" && f.Payload == "yes":
		reply(map[string]any{"type": "message", "text": "Great.", "input": "accepting"})
	case f.Type == "message" && f.Text == "fail":
		b.mu.Lock()
		b.write(conn, map[string]any{"type": "error", "code": "unavailable", "message": "The bot is busy.", "reply_to": f.ID})
		b.mu.Unlock()
	default:
		reply(map[string]any{"type": "message", "text": "Sorry?", "input": "accepting"})
	}
}

// number gives fr the session's next seq and keeps it in the outbox.
// b.mu must be held.
func (b *scriptedBot) number(sid string, fr map[string]any) []byte {
	sess := b.sessions[sid]
	sess.seq++
	fr["seq"] = sess.seq
	data, err := json.Marshal(fr)
	if err != nil {
		b.t.Fatalf("marshal frame: %v", err)
	}
	sess.outbox = append(sess.outbox, data)
	return data
}

// write sends an unnumbered frame. b.mu must be held.
func (b *scriptedBot) write(conn *websocket.Conn, fr map[string]any) {
	data, err := json.Marshal(fr)
	if err != nil {
		b.t.Fatalf("marshal frame: %v", err)
	}
	b.writeRaw(conn, data)
}

// writeRaw sends data if conn is still the current connection; a frame
// for a dropped connection waits in the outbox. b.mu must be held.
func (b *scriptedBot) writeRaw(conn *websocket.Conn, data []byte) {
	if b.conn != conn {
		return
	}
	if err := conn.WriteMessage(websocket.TextMessage, data); err != nil {
		b.t.Logf("write: %v", err)
	}
}

// kill drops the current connection without a close frame and, if
// missed is not nil, numbers it into sid's outbox while nobody listens.
func (b *scriptedBot) kill(sid string, missed map[string]any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.conn != nil {
		b.conn.UnderlyingConn().Close()
		b.conn = nil
	}
	if missed != nil {
		b.number(sid, missed)
	}
}

// forget drops session sid, as a server does whose session expired.
func (b *scriptedBot) forget(sid string) {
	b.mu.Lock()
	delete(b.sessions, sid)
	b.mu.Unlock()
}

func (b *scriptedBot) setRefuse(on bool) {
	b.mu.Lock()
	b.refuse = on
	b.mu.Unlock()
}

// lastSeq is the highest seq numbered in session sid.
func (b *scriptedBot) lastSeq(sid string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s, ok := b.sessions[sid]; ok {
		return s.seq
	}
	return -1
}

func newID() string {
	var p [16]byte
	if _, err := rand.Read(p[:]); err != nil {
		panic(fmt.Sprintf("random id: %v", err))
	}
	return hex.EncodeToString(p[:])
}

// push sends fr numbered in session sid without reply_to, as a server
// pushes the continuation of a parked dialog (protocol v1, authorize).
func (b *scriptedBot) push(sid string, fr map[string]any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	data := b.number(sid, fr)
	if b.conn != nil {
		b.writeRaw(b.conn, data)
	}
}
