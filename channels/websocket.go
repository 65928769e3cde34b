package channels

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/botforge/dialogd/nodes"
)

// Connection timings and limits used when the matching Options field is zero.
// They follow gorilla's chat example.
const (
	// DefaultWriteWait bounds the time one frame write (or ping) may take;
	// a client that does not read for that long is dropped.
	DefaultWriteWait = 10 * time.Second
	// DefaultPongWait is how long a connection may stay silent: the read
	// deadline is pushed this far ahead on every pong and every frame.
	DefaultPongWait = 60 * time.Second
	// DefaultPingPeriod is how often pings go out. It must be shorter than
	// the pong wait, so that a pong can come back before the deadline.
	DefaultPingPeriod = DefaultPongWait * 9 / 10
	// DefaultReadLimit is the largest client frame in bytes. A larger frame
	// closes the connection with 1009 (message too big).
	DefaultReadLimit = 8 << 10
	// DefaultQueueSize is how many inputs of one connection may wait behind
	// the running turn before further inputs get a "busy" error.
	DefaultQueueSize = 8
	// DefaultTurnTimeout bounds one call into Conversations.
	DefaultTurnTimeout = 60 * time.Second
)

// Socket buffer sizes. Reads use a small per-connection buffer (a client
// frame is short and ReadMessage copies it out anyway); writes borrow a
// buffer from a pool shared by all connections only while a frame is being
// written, so an idle connection holds no write buffer.
const (
	readBufferSize  = 512
	writeBufferSize = 4096
)

// writeBufferPool is shared by every WebSocket of the process.
var writeBufferPool = &sync.Pool{}

// closeGoingAway is the close frame sent on shutdown.
var closeGoingAway = websocket.FormatCloseMessage(websocket.CloseGoingAway, "going away")

// Options configure a WebSocket. Zero fields take the defaults above.
type Options struct {
	// AllowedOrigins lists the exact origins (scheme://host[:port]) whose
	// pages may open the socket; the comparison ignores case. Empty means
	// same-origin only: the Origin host must equal the request's Host and
	// its scheme the scheme pages are served with (see PublicURL).
	// The single entry "*" allows every origin; it is meant for local
	// development only, as it lets any web page talk to the bot as its
	// visitor. A request without an Origin header (not a browser) is
	// accepted in every mode, as browsers always send one.
	AllowedOrigins []string
	// PublicURL is the server's public base URL (https://bot.example.com).
	// When set, its scheme is the one the same-origin check requires: behind
	// a TLS-terminating proxy the page is https while the server sees plain
	// http. When empty, the connection decides (https for TLS, else http).
	PublicURL string
	// Secret signs session ids with HMAC-SHA256. Required, at least
	// MinSecretLen bytes; every instance serving the same sessions must
	// use the same secret.
	Secret []byte
	// ReadLimit is the largest client frame in bytes (DefaultReadLimit).
	ReadLimit int64
	// PongWait, PingPeriod and WriteWait: see DefaultPongWait,
	// DefaultPingPeriod and DefaultWriteWait. When only PongWait is set,
	// PingPeriod is 9/10 of it. PingPeriod must be below PongWait.
	PongWait   time.Duration
	PingPeriod time.Duration
	WriteWait  time.Duration
	// QueueSize bounds the inputs waiting per connection (DefaultQueueSize).
	QueueSize int
	// ConnTurnRate and ConnTurnBurst bound the inputs (message, postback
	// and end frames, malformed ones included) of one connection: a token
	// bucket of ConnTurnBurst tokens refilled at ConnTurnRate per second
	// (DefaultConnTurnRate, DefaultConnTurnBurst). SessionTurnRate and
	// SessionTurnBurst bound the inputs of all connections of one session
	// on this server the same way (DefaultSessionTurnRate,
	// DefaultSessionTurnBurst). An input over a limit gets a rate_limited
	// error frame and does not run; the connection stays open.
	ConnTurnRate     float64
	ConnTurnBurst    int
	SessionTurnRate  float64
	SessionTurnBurst int
	// IPTurnRate and IPTurnBurst bound the inputs of all connections from
	// one client address (IPv4 address or IPv6 /64) the same way
	// (DefaultIPTurnRate, DefaultIPTurnBurst); ClientIP says which address
	// a request comes from (the peer's, when nil; behind a proxy, the
	// client the proxy names).
	IPTurnRate  float64
	IPTurnBurst int
	ClientIP    func(*http.Request) string
	// TurnTimeout bounds each call into Conversations (DefaultTurnTimeout).
	TurnTimeout time.Duration
	// TypingDelay sends the typing frame only when a turn takes longer than
	// this, so fast turns cost no extra frame and the widget does not
	// flicker. Zero sends it at the start of every turn.
	TypingDelay time.Duration
	// IdentitySecret verifies the identity tokens host sites pass as
	// ?identity= (JWT, HS256; see ParseIdentityToken). Nil refuses every
	// identity token, so all users are anonymous. When set it must be at
	// least MinIdentitySecretLen bytes.
	IdentitySecret []byte
	// Bot is the bot's name. When set, an identity token with an "aud"
	// claim must name it.
	Bot string
	// Logger receives connection events (debug) and runtime failures
	// (error). Message bodies are never logged. Nil uses slog.Default().
	Logger *slog.Logger
	// Registerer, when set, gets the dialogd_ws_connections gauge and the
	// dialogd_ws_frames_total{direction} counter.
	Registerer prometheus.Registerer
}

// WebSocket is the web channel: an http.Handler for the /ws endpoint that
// speaks protocol v1. Create it with New; stop it with Shutdown.
type WebSocket struct {
	conv     Conversations
	signer   *Signer
	upgrader websocket.Upgrader
	log      *slog.Logger
	metrics  *metrics
	live     *liveMap

	identitySecret []byte
	bot            string

	readLimit   int64
	pongWait    time.Duration
	pingPeriod  time.Duration
	writeWait   time.Duration
	queueSize   int
	turnTimeout time.Duration
	typingDelay time.Duration

	connLimit     turnLimit      // each connection's input bucket
	sessionLimits *keyedLimiters // the input buckets of sessions
	ipLimits      *keyedLimiters // the input buckets of client addresses
	clientIP      func(*http.Request) string
	maxReadPause  time.Duration // the longest wait of a reader after a refused input

	// base is the parent context of every turn; Shutdown cancels it when
	// its own context ends before the turns do.
	base       context.Context
	cancelBase context.CancelFunc

	tickerOnce sync.Once
	stop       chan struct{} // closed by Shutdown; stops the ping ticker

	mu      sync.Mutex
	closing bool
	turns   sync.WaitGroup // turn goroutines; Add only under mu while !closing
	readers sync.WaitGroup // reader goroutines; Add only under mu while !closing
}

// New returns the WebSocket channel serving conv. It panics when opts has no
// usable Secret, when IdentitySecret is set but too short, or when
// PingPeriod is not below PongWait: these are configuration errors to catch
// at start-up.
func New(conv Conversations, opts Options) *WebSocket {
	if conv == nil {
		panic("channels: New needs a Conversations")
	}
	s := &WebSocket{
		conv:        conv,
		signer:      NewSigner(opts.Secret),
		log:         opts.Logger,
		live:        newLiveMap(),
		bot:         opts.Bot,
		readLimit:   opts.ReadLimit,
		pongWait:    opts.PongWait,
		pingPeriod:  opts.PingPeriod,
		writeWait:   opts.WriteWait,
		queueSize:   opts.QueueSize,
		turnTimeout: opts.TurnTimeout,
		typingDelay: opts.TypingDelay,
		stop:        make(chan struct{}),
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.readLimit <= 0 {
		s.readLimit = DefaultReadLimit
	}
	if s.pongWait <= 0 {
		s.pongWait = DefaultPongWait
	}
	if s.pingPeriod <= 0 {
		s.pingPeriod = s.pongWait * 9 / 10
	}
	if s.pingPeriod >= s.pongWait {
		panic(fmt.Sprintf("channels: PingPeriod %v must be below PongWait %v", s.pingPeriod, s.pongWait))
	}
	if s.writeWait <= 0 {
		s.writeWait = DefaultWriteWait
	}
	if s.queueSize <= 0 {
		s.queueSize = DefaultQueueSize
	}
	if s.turnTimeout <= 0 {
		s.turnTimeout = DefaultTurnTimeout
	}
	if opts.IdentitySecret != nil {
		if len(opts.IdentitySecret) < MinIdentitySecretLen {
			panic("channels: identity secret must be at least 32 bytes")
		}
		s.identitySecret = append([]byte(nil), opts.IdentitySecret...)
	}
	s.maxReadPause = maxReadPause
	s.connLimit = newTurnLimit(opts.ConnTurnRate, opts.ConnTurnBurst, DefaultConnTurnRate, DefaultConnTurnBurst)
	s.sessionLimits = newKeyedLimiters(newTurnLimit(opts.SessionTurnRate, opts.SessionTurnBurst, DefaultSessionTurnRate, DefaultSessionTurnBurst))
	s.ipLimits = newKeyedLimiters(newTurnLimit(opts.IPTurnRate, opts.IPTurnBurst, DefaultIPTurnRate, DefaultIPTurnBurst))
	s.clientIP = opts.ClientIP
	if s.clientIP == nil {
		s.clientIP = func(r *http.Request) string { return r.RemoteAddr }
	}
	s.metrics = newMetrics(opts.Registerer, s.log)
	s.base, s.cancelBase = context.WithCancel(context.Background())
	s.upgrader = websocket.Upgrader{
		HandshakeTimeout: s.writeWait,
		ReadBufferSize:   readBufferSize,
		WriteBufferSize:  writeBufferSize,
		WriteBufferPool:  writeBufferPool,
		CheckOrigin:      originChecker(opts.AllowedOrigins, opts.PublicURL),
	}
	return s
}

// conn is one client connection. While idle it is this struct, the gorilla
// connection and one reader goroutine blocked in a read.
type conn struct {
	s       *WebSocket
	ws      *websocket.Conn
	session string
	ident   nodes.Identity // who the user is; ident.UserID goes to Conversations
	client  string         // the key of the client address's input bucket (clientKey)

	wmu  sync.Mutex // one writer at a time; guards dead and the replay fields
	dead bool       // a write failed or the connection was closed

	// The replay of a resume with last_seq (see replay.go).
	replaying bool     // the replay has not ended: Deliver's frames wait in held
	held      [][]byte // frames delivered during the replay
	shown     uint64   // the client has every frame up to this seq (0: unknown)
	seen      uint64   // the highest seq written to the client or known to it (its last_seq)

	limiter       *rate.Limiter // the connection's input bucket; only the reader uses it
	refusedInARow int           // inputs refused since the last allowed one; reader only

	// unstarted: the session's start was shown without being stored
	// (Greeter); the first input stores it first. Turn goroutines only.
	unstarted bool

	qmu     sync.Mutex // guards queue and running
	queue   []job
	running bool // a turn goroutine is draining queue

	// ctx ends when the socket closes: the turns' contexts derive from
	// it, so a turn still waiting for its session stops at once.
	ctx    context.Context
	cancel context.CancelFunc
}

type jobKind uint8

const (
	jobHandle  jobKind = iota // a client input
	jobStart                  // the start event of a new session
	jobMissed                 // replay of frames after a reconnect
	jobEnd                    // the user closed the conversation (end frame)
	jobResumed                // a resume without last_seq: is the session's start stored?
)

type job struct {
	kind  jobKind
	in    nodes.Input
	raw   []byte // jobHandle: the client frame, parsed on the turn goroutine
	after uint64 // jobMissed
}

// ServeHTTP upgrades the request to a WebSocket and serves it. What the
// client presents (see connectParams) comes from the query string, or,
// when the query has hello=1, from the first frame the client sends
// (readHello): session=<id> and last_seq=<n> to resume a session, user=<id>
// to keep an anonymous user id issued before, identity=<jwt> to name a
// verified user (see ParseIdentityToken), and lang=<tag> to fix the reply
// language (an identity token's locale claim wins). A refused identity
// token gets a bad_identity error frame and close code 1008.
func (s *WebSocket) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.isClosing() {
		http.Error(w, "server is shutting down", http.StatusServiceUnavailable)
		return
	}
	client := clientKey(s.clientIP(r))
	if !s.allowConnect(w, client) {
		return
	}
	q := r.URL.Query()
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		// The upgrader has written the HTTP error (400, 403, 405).
		s.log.Debug("websocket upgrade refused", "err", err, "origin", r.Header.Get("Origin"))
		return
	}
	ws.SetReadLimit(s.readLimit)
	p := paramsFromQuery(q)
	if q.Get("hello") == "1" {
		var ok bool
		if p, ok = s.readHello(ws); !ok {
			return
		}
		if p.lang == "" {
			p.lang = q.Get("lang") // not a credential: the URL may carry it
		}
	}
	s.open(ws, p, client)
}

// open starts serving an upgraded connection: it works out the user and
// the session, sends the session frame, registers the connection and
// queues the conversation start or the replay.
func (s *WebSocket) open(ws *websocket.Conn, p connectParams, client string) {
	ident, identErr := s.identify(p)
	if identErr != nil {
		s.refuseIdentity(ws, identErr)
		return
	}
	fixLang(&ident, p.lang)
	session, resumed := s.session(p.session, ident.UserID)
	replay := resumed && p.replay
	c := &conn{s: s, ws: ws, session: session, ident: ident, client: client, replaying: replay}
	// The session frame goes out before the connection is registered, so
	// that nothing (a Deliver, a shutdown close) can overtake it.
	if err := c.write(encodeSession(session, ident.UserID, replay)); err != nil {
		s.log.Debug("websocket session frame not sent", "err", err)
		return
	}

	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		_ = ws.WriteControl(websocket.CloseMessage, closeGoingAway, time.Now().Add(s.writeWait))
		_ = ws.Close()
		return
	}
	c.ctx, c.cancel = context.WithCancel(s.base)
	s.readers.Add(1)
	s.live.add(c)
	s.mu.Unlock()
	s.metrics.conns.Inc()
	s.tickerOnce.Do(func() { go s.pingLoop() })
	s.log.Debug("websocket connected", "session", logID(session), "resumed", resumed, "verified", ident.Verified)

	switch {
	case !resumed:
		c.enqueue(job{kind: jobStart})
	case replay:
		c.enqueue(job{kind: jobMissed, after: p.lastSeq})
	default:
		c.enqueue(job{kind: jobResumed})
	}
	// Read on a fresh goroutine and let the net/http one return: its stack
	// and buffers are released, which keeps idle connections small.
	go c.readLoop()
}

// session returns the session a connection of user continues, and
// whether it continues one: presented when it is a session id issued to
// this very user, else a new id bound to the user. A session id alone is
// therefore not enough to read a conversation: an id presented with
// another user's credential (or none, or an id from before ids were bound
// to users) gets a fresh session, never the transcript.
func (s *WebSocket) session(presented, user string) (string, bool) {
	if presented != "" && s.signer.VerifySession(presented, user) {
		return presented, true
	}
	if presented != "" {
		s.metrics.refused.WithLabelValues(refusedResume).Inc()
		s.log.Debug("websocket session id not valid for this user; issuing a new one")
	}
	return s.signer.IssueSession(user), false
}

// identify works out who the user of a new connection is. A verified
// identity token wins; otherwise a valid anonymous user id presented as
// user=<id> is kept, and anything else gets a fresh one. The error is an
// *IdentityError when an identity token was presented and refused: the
// channel never falls back to an anonymous id in that case.
func (s *WebSocket) identify(p connectParams) (nodes.Identity, error) {
	if p.hasIdentity {
		return ParseIdentityToken(p.identity, s.identitySecret, s.bot, time.Now())
	}
	user := p.user
	if user == "" || !s.signer.VerifyUser(user) {
		if user != "" {
			s.log.Debug("websocket user id rejected; issuing a new one")
		}
		user = s.signer.IssueUser()
	}
	return nodes.Identity{UserID: user}, nil
}

// refuseIdentity tells the client why its identity token was refused,
// closes with 1008 (policy violation) and waits briefly for the client's
// close frame, so that the error frame is not lost to a reset.
func (s *WebSocket) refuseIdentity(ws *websocket.Conn, err error) {
	reason := "refused"
	var ie *IdentityError
	if errors.As(err, &ie) {
		reason = ie.Reason.Error()
	}
	s.log.Debug("websocket identity token refused", "reason", reason)
	_ = ws.SetWriteDeadline(time.Now().Add(s.writeWait))
	if ws.WriteMessage(websocket.TextMessage, encodeError(CodeBadIdentity, err.Error(), "")) != nil {
		_ = ws.Close()
		return
	}
	s.metrics.out.Inc()
	s.closeRefused(ws, websocket.ClosePolicyViolation, "bad identity")
}

// closeWait bounds the wait for a client's close frame after the server
// closed a connection it refused.
const closeWait = 2 * time.Second

// readLoop is the connection's only reader. It ends when the connection
// fails or closes, and then unregisters the connection.
func (c *conn) readLoop() {
	s := c.s
	defer c.drop()
	_ = c.ws.SetReadDeadline(time.Now().Add(s.pongWait))
	c.ws.SetPongHandler(c.extendDeadline)
	for {
		kind, data, err := c.ws.ReadMessage()
		if err != nil {
			if !websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway, websocket.CloseNoStatusReceived) {
				s.log.Debug("websocket read ended", "session", logID(c.session), "err", err)
			}
			return
		}
		s.metrics.in.Inc()
		if code, reason := refuseData(kind, data); code != 0 {
			c.closeFor(code, reason)
			c.discardUntilClosed()
			return
		}
		_ = c.extendDeadline("")
		switch verdict, retry := c.allowInput(data); verdict {
		case inputRefused:
			if !c.pauseReading(retry) {
				return
			}
			continue
		case inputFlood:
			if c.client != "" {
				s.ipLimits.penalize(c.client, time.Now())
			}
			c.closeFor(websocket.ClosePolicyViolation, refusedFlood)
			c.discardUntilClosed()
			return
		}
		// The frame is parsed on the turn goroutine: decoding JSON here
		// would grow this long-lived goroutine's stack for good, and an
		// idle connection is mostly that stack.
		c.enqueue(job{kind: jobHandle, raw: data})
	}
}

func (c *conn) extendDeadline(string) error {
	return c.ws.SetReadDeadline(time.Now().Add(c.s.pongWait))
}

// drop unregisters and closes the connection.
func (c *conn) drop() {
	s := c.s
	if s.live.remove(c) {
		s.metrics.conns.Dec()
	}
	c.wmu.Lock()
	c.dead = true
	c.wmu.Unlock()
	_ = c.ws.Close()
	c.cancel()
	s.readers.Done()
	s.log.Debug("websocket disconnected", "session", logID(c.session))
}

// write sends one text frame under the connection's write lock and write
// deadline. A failed write closes the socket, which ends the reader.
func (c *conn) write(data []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.writeLocked(data)
}

// writeLocked is write for a caller that holds c.wmu.
func (c *conn) writeLocked(data []byte) error {
	if c.dead {
		return websocket.ErrCloseSent
	}
	_ = c.ws.SetWriteDeadline(time.Now().Add(c.s.writeWait))
	if err := c.ws.WriteMessage(websocket.TextMessage, data); err != nil {
		c.dead = true
		_ = c.ws.Close()
		return err
	}
	c.s.metrics.out.Inc()
	return nil
}

// sawSeq notes that the client has the frame numbered seq.
func (c *conn) sawSeq(seq uint64) {
	c.wmu.Lock()
	c.seen = max(c.seen, seq)
	c.wmu.Unlock()
}

func (c *conn) sendError(code, message, replyTo string) {
	_ = c.write(encodeError(code, message, replyTo))
}

// enqueue queues a job and makes sure a turn goroutine is draining the
// queue. A full queue answers "busy"; a shutting-down server "unavailable".
func (c *conn) enqueue(j job) {
	c.qmu.Lock()
	if len(c.queue) >= c.s.queueSize {
		c.qmu.Unlock()
		c.sendError(CodeBusy, clientMessages[CodeBusy], j.replyTo())
		return
	}
	if !c.running {
		if !c.s.beginTurns() {
			c.qmu.Unlock()
			c.sendError(CodeUnavailable, clientMessages[CodeUnavailable], j.replyTo())
			return
		}
		c.running = true
		go c.runTurns()
	}
	c.queue = append(c.queue, j)
	c.qmu.Unlock()
}

// beginTurns registers a turn goroutine unless the server is shutting down.
func (s *WebSocket) beginTurns() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.turns.Add(1)
	return true
}

func (s *WebSocket) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

// runTurns runs the queued jobs in order and exits when the queue is empty.
// Once shutdown has begun, jobs that have not started are answered with
// "unavailable" instead of run (the client may resend them after it
// reconnects; the runtime recognises a repeated message id).
func (c *conn) runTurns() {
	defer c.s.turns.Done()
	for {
		c.qmu.Lock()
		if len(c.queue) == 0 {
			c.queue = nil // release the backing array while idle
			c.running = false
			c.qmu.Unlock()
			return
		}
		j := c.queue[0]
		c.queue[0] = job{}
		c.queue = c.queue[1:]
		c.qmu.Unlock()
		if c.s.isClosing() {
			if j.kind == jobHandle {
				c.sendError(CodeUnavailable, clientMessages[CodeUnavailable], j.replyTo())
			}
			continue
		}
		c.run(j)
	}
}

// replyTo is the client message id a job answers, as far as it is known
// before the frame is parsed.
func (j *job) replyTo() string {
	if j.raw != nil {
		return salvageID(j.raw)
	}
	return j.in.ID
}

// run performs one job: a typing frame, the call into Conversations, then
// its frames or an error frame.
func (c *conn) run(j job) {
	s := c.s
	if j.raw != nil {
		in, err := parseClientFrame(j.raw)
		if err != nil {
			var bad *badFrameError
			errors.As(err, &bad)
			c.sendError(CodeBadFrame, bad.Reason, bad.ReplyTo)
			return
		}
		j.in, j.raw = in, nil
		if in.Payload == endPayload {
			j.kind = jobEnd
		}
	}
	ctx, cancel := context.WithTimeout(c.ctx, s.turnTimeout)
	defer cancel()
	ctx = nodes.WithIdentity(ctx, c.ident)
	if j.kind == jobHandle {
		c.wmu.Lock()
		j.in.AfterSeq = max(c.seen, c.shown)
		c.wmu.Unlock()
	}
	frames, err := c.call(ctx, j)
	switch j.kind {
	case jobMissed:
		c.endReplay(j.after, frames, err)
		return
	case jobHandle:
		frames = c.unshown(frames)
	}
	for _, f := range frames {
		if c.write(f) != nil {
			break
		}
		c.sawSeq(frameSeq(f))
	}
	if err != nil {
		code, message := errorCode(err)
		s.log.Error("websocket turn failed", "session", logID(c.session), "kind", j.kind.String(), "code", code, "err", err)
		c.sendError(code, message, j.in.ID)
	}
}

// call invokes Conversations for j, turning a panic into an error so that a
// bug in one dialog cannot take the process down.
func (c *conn) call(ctx context.Context, j job) (frames [][]byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			frames, err = nil, fmt.Errorf("conversations panicked: %v", p)
		}
	}()
	conv := c.s.conv
	switch j.kind {
	case jobStart:
		defer c.typing()()
		return c.start(ctx)
	case jobMissed:
		frames, err := conv.Missed(ctx, c.session, replayFrom(j.after))
		if err == nil && len(frames) == 0 {
			return c.unstoredStart(ctx)
		}
		return frames, err
	case jobEnd:
		return endConversation(ctx, conv, c.session, c.ident.UserID, j.in.ID)
	case jobResumed:
		return nil, c.resumedStart(ctx)
	default:
		defer c.typing()()
		if err := c.storeStart(ctx); err != nil {
			return nil, err
		}
		return conv.Handle(ctx, c.session, c.ident.UserID, j.in)
	}
}

// typing sends the typing frame now, or after the typing delay if the turn
// is still running then; the returned function ends the turn's typing
// window, after which no typing frame is written.
func (c *conn) typing() (done func()) {
	delay := c.s.typingDelay
	if delay <= 0 {
		_ = c.write(typingFrame)
		return func() {}
	}
	var mu sync.Mutex
	finished := false
	t := time.AfterFunc(delay, func() {
		mu.Lock()
		defer mu.Unlock()
		if !finished {
			_ = c.write(typingFrame)
		}
	})
	return func() {
		t.Stop()
		mu.Lock()
		finished = true
		mu.Unlock()
	}
}

func (k jobKind) String() string {
	switch k {
	case jobStart:
		return "start"
	case jobMissed:
		return "missed"
	case jobEnd:
		return "end"
	case jobResumed:
		return "resumed"
	default:
		return "input"
	}
}

// pingLoop sends the pings of every connection from one goroutine per
// WebSocket (plus, for each tick, one short-lived goroutine per non-empty
// shard, so that a client stuck on its write deadline delays the pings of
// its shard only).
func (s *WebSocket) pingLoop() {
	t := time.NewTicker(s.pingPeriod)
	defer t.Stop()
	var wg sync.WaitGroup
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		s.sessionLimits.sweep(time.Now())
		s.ipLimits.sweep(time.Now())
		for i := range s.live.shards {
			conns := s.live.snapshot(i, nil)
			if len(conns) == 0 {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				deadline := time.Now().Add(s.writeWait)
				for _, c := range conns {
					// WriteControl may run concurrently with other writes.
					// A failure needs no action: the missing pong ends the
					// connection through its read deadline.
					_ = c.ws.WriteControl(websocket.PingMessage, nil, deadline)
				}
			}()
		}
		wg.Wait()
	}
}

// Deliver sends frames produced outside a client turn (for example after an
// OAuth callback resumed a dialog) to the open connections of sessionID on
// this process. It reports whether at least one connection took all frames.
// Frames that do not reach a client stay in the session's outbox and are
// replayed when it reconnects. A connection still replaying gets them after
// its replayed frame, without those the replay sent.
func (s *WebSocket) Deliver(sessionID string, frames [][]byte) bool {
	delivered := false
	for _, c := range s.live.get(sessionID) {
		if c.deliver(frames) {
			delivered = true
		}
	}
	return delivered
}

// Shutdown stops accepting connections and inputs, waits for running turns
// to finish, then closes every connection with 1001 (going away) and waits
// briefly for the clients to confirm. When ctx ends first, running turns are
// cancelled, the sockets are closed at once and ctx's error is returned.
//
// http.Server.Shutdown does not know about hijacked connections: call this
// from a hook registered with RegisterOnShutdown, or after it.
func (s *WebSocket) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	first := !s.closing
	s.closing = true
	s.mu.Unlock()
	if first {
		close(s.stop)
	}

	var err error
	if !waitCtx(ctx, &s.turns) {
		err = ctx.Err()
		s.cancelBase() // ask the turns to stop; do not wait for them
	}

	for _, c := range s.live.all() {
		c.wmu.Lock()
		c.dead = true // no data frame may follow the close frame
		c.wmu.Unlock()
		_ = c.ws.WriteControl(websocket.CloseMessage, closeGoingAway, time.Now().Add(s.writeWait))
	}
	// Give the clients a moment to answer the close frame, so that they see
	// a clean 1001 rather than a reset; then cut the rest.
	grace, cancel := context.WithTimeout(ctx, s.writeWait)
	defer cancel()
	if !waitCtx(grace, &s.readers) {
		for _, c := range s.live.all() {
			_ = c.ws.Close()
		}
		if ctx.Err() != nil && err == nil {
			err = ctx.Err()
		}
	}
	s.cancelBase()
	return err
}

// waitCtx waits for wg until ctx ends and reports whether wg finished.
func waitCtx(ctx context.Context, wg *sync.WaitGroup) bool {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	}
}
