package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"
	"testing"

	"github.com/gorilla/websocket"
)

// deskClientFrame is a frame the desk page sends, decoded strictly: a
// field the contract does not define fails the test.
type deskClientFrame struct {
	Type               string `json:"type"`
	State              string `json:"state,omitempty"`
	Reason             string `json:"reason,omitempty"`
	Conversation       string `json:"conversation,omitempty"`
	ID                 string `json:"id,omitempty"`
	Text               string `json:"text,omitempty"`
	SalesforceUsername string `json:"salesforce_username,omitempty"`
}

// deskSim is a small stand-in for package desk's HTTP API and agent
// WebSocket, speaking the desk frames of docs/protocol.md, with one agent
// (alice, password "s3cret"). The test decides every server frame; the
// real desk lives elsewhere.
type deskSim struct {
	t      *testing.T
	origin string // the only Origin allowed to connect

	mu      sync.Mutex
	cookies map[string]bool // valid session cookies
	conn    *websocket.Conn // the current agent socket
	onOpen  []any           // frames sent on every accepted socket (setOnOpen)

	logins   chan map[string]string // every login body
	logouts  chan struct{}
	connects chan struct{}        // one value per accepted socket
	refused  chan struct{}        // one value per refused socket
	received chan deskClientFrame // every page frame, in order
}

const deskCookie = "dialogd_desk"

func newDeskSim(t *testing.T) *deskSim {
	return &deskSim{
		t:        t,
		cookies:  make(map[string]bool),
		logins:   make(chan map[string]string, 8),
		logouts:  make(chan struct{}, 8),
		connects: make(chan struct{}, 32),
		refused:  make(chan struct{}, 256),
		received: make(chan deskClientFrame, 256),
	}
}

// mux serves the page (DeskHandler) and the simulated API under /desk/.
func (d *deskSim) mux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/desk/", DeskHandler())
	mux.HandleFunc("GET /desk/api/bots", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, []map[string]string{{"name": "helpdesk", "title": "Help desk"}})
	})
	mux.HandleFunc("POST /desk/api/login", d.login)
	mux.HandleFunc("POST /desk/api/logout", func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie(deskCookie); err == nil {
			d.mu.Lock()
			delete(d.cookies, c.Value)
			d.mu.Unlock()
		}
		http.SetCookie(w, &http.Cookie{Name: deskCookie, Value: "", Path: "/desk/", MaxAge: -1})
		d.logouts <- struct{}{}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /desk/ws", d.socket)
	return mux
}

func (d *deskSim) login(w http.ResponseWriter, r *http.Request) {
	var body map[string]string
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad request"})
		return
	}
	d.logins <- body
	if body["bot"] != "helpdesk" || body["agent"] != "alice" || body["password"] != "s3cret" {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "Wrong agent id or password."})
		return
	}
	v := newID()
	d.mu.Lock()
	d.cookies[v] = true
	d.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: deskCookie, Value: v, Path: "/desk/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
	writeJSON(w, http.StatusOK, map[string]string{"bot": "helpdesk", "agent": "alice", "name": "Alice Adams"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// socket is GET /desk/ws: the session cookie and the page's origin, then
// the onOpen frames, then every page frame into received.
func (d *deskSim) socket(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(deskCookie)
	d.mu.Lock()
	ok := err == nil && d.cookies[c.Value]
	d.mu.Unlock()
	if !ok {
		d.refused <- struct{}{}
		http.Error(w, "not signed in", http.StatusUnauthorized)
		return
	}
	up := upgrader
	up.CheckOrigin = func(r *http.Request) bool { return r.Header.Get("Origin") == d.origin }
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		d.t.Errorf("desk upgrade: %v", err)
		return
	}
	defer conn.Close()
	d.mu.Lock()
	if d.conn != nil {
		d.conn.Close()
	}
	d.conn = conn
	for _, f := range d.onOpen {
		d.writeLocked(f)
	}
	d.mu.Unlock()
	d.connects <- struct{}{}
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return
		}
		var f deskClientFrame
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			d.t.Errorf("desk page frame %s: %v", data, err)
			return
		}
		d.received <- f
	}
}

// setOnOpen sets the frames every new socket gets first: the hello, the
// board and each conversation held, as the desk sends them.
func (d *deskSim) setOnOpen(frames ...any) {
	d.mu.Lock()
	d.onOpen = frames
	d.mu.Unlock()
}

// send writes frames to the current socket.
func (d *deskSim) send(frames ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, f := range frames {
		d.writeLocked(f)
	}
}

func (d *deskSim) writeLocked(f any) {
	if d.conn == nil {
		d.t.Errorf("desk sim: no socket to send %v to", f)
		return
	}
	data, err := json.Marshal(f)
	if err != nil {
		d.t.Fatalf("marshal desk frame: %v", err)
	}
	if err := d.conn.WriteMessage(websocket.TextMessage, data); err != nil {
		d.t.Logf("desk write: %v", err)
	}
}

// drop closes the current socket without a close frame; signOut also
// forgets every session cookie, as a server that restarted does.
func (d *deskSim) drop(signOut bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.conn != nil {
		d.conn.UnderlyingConn().Close()
		d.conn = nil
	}
	if signOut {
		clear(d.cookies)
	}
}
