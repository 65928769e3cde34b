package dialog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

// Options configure a Runtime. Zero fields take defaults.
type Options struct {
	// HTTPClient makes service calls; the default keeps connections alive
	// and has no overall timeout (each call has its node's timeout).
	HTTPClient *http.Client
	// Auth overrides the authorizer built from the bot's static profiles.
	Auth    nodes.Authorizer
	Logger  *slog.Logger
	Metrics *Metrics
	// Now is the clock (tests).
	Now func() time.Time
	// ParkTTL is how long a task waits for an authorization (default 10m).
	ParkTTL time.Duration
	// IdleTTL is the session idle time-out of bots that do not set
	// settings.session_idle_ttl: the store's (default 15m).
	IdleTTL time.Duration
	// EndHold is how long a sweep's claim on an idled-out conversation
	// lasts: if the sweeping process dies, another takes the
	// conversation_end over after it (default 1m).
	EndHold time.Duration
	// EndRetryMaxAge is how long after a conversation closed its failed
	// conversation_end handler is still run again; then it is given up,
	// with an error logged (default 24h).
	EndRetryMaxAge time.Duration
	// Versions keeps superseded task versions that conversations started
	// on, shared by the runtimes of one bot's successive loads (Live); the
	// runtime adds its bot's. Nil: a store of its own.
	Versions *TaskVersions
	// Handoffs is the live-agent desk handoffs go to (handoff.go); nil:
	// a handoff is only the handoff frame, for the channel to act on.
	Handoffs Handoffs
	// Directory is the customer directory turns search (the
	// directory_lookup node); nil: none.
	Directory nodes.Directory
}

// Revoker is implemented by Authorizers that can drop a user's grant for a
// profile (the "disconnect salesforce" command).
type Revoker interface {
	Revoke(ctx context.Context, user, profile string) error
}

// Runtime runs a bot's conversations: it loads a session's state, runs one
// input through the dialog, numbers the replies, and stores state and
// replies together. It implements channels.Conversations.
type Runtime struct {
	bot     *Bot
	store   sessions.Store
	env     *nodes.Env
	log     *slog.Logger
	metrics *Metrics
	now     func() time.Time
	parkTTL time.Duration
	turns   sync.Pool
	endHold time.Duration
	idleTTL time.Duration // of bots that set none

	endRetryMaxAge time.Duration // of a closed conversation's failed conversation_end

	versions *TaskVersions // task versions running conversations started on
	states   *stateCache   // the states this process committed last
	handoffs Handoffs      // the live-agent desk, or nil
	dir      nodes.Directory
}

// NewRuntime returns a runtime for bot over store.
func NewRuntime(bot *Bot, store sessions.Store, opts Options) *Runtime {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.HTTPClient == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConns = 512
		tr.MaxIdleConnsPerHost = 256
		opts.HTTPClient = &http.Client{Transport: tr}
	}
	if opts.Auth == nil {
		opts.Auth = defaultAuthorizer(bot, store)
	}
	if opts.ParkTTL <= 0 {
		opts.ParkTTL = 10 * time.Minute
	}
	if opts.EndHold <= 0 {
		opts.EndHold = defaultEndHold
	}
	if opts.IdleTTL <= 0 {
		opts.IdleTTL = sessions.DefaultIdleTTL
	}
	if opts.EndRetryMaxAge <= 0 {
		opts.EndRetryMaxAge = defaultEndRetryMaxAge
	}
	r := &Runtime{bot: bot, store: store, log: opts.Logger, metrics: opts.Metrics, now: opts.Now, parkTTL: opts.ParkTTL, endHold: opts.EndHold, endRetryMaxAge: opts.EndRetryMaxAge, idleTTL: opts.IdleTTL, states: newStateCache()}
	if r.versions = opts.Versions; r.versions == nil {
		r.versions = NewTaskVersions(0)
	}
	r.versions.Add(bot)
	r.handoffs, r.dir = opts.Handoffs, opts.Directory
	r.env = &nodes.Env{HTTP: opts.HTTPClient, Auth: opts.Auth, Log: opts.Logger, Phrases: bot.Config.Messages}
	if r.metrics != nil {
		r.env.ServiceObserver = r.metrics.observeService
	}
	return r
}

// Bot returns the runtime's bot.
func (r *Runtime) Bot() *Bot { return r.bot }

// storeKey is the name a session is stored under: a hash of its id, so
// that reading the store (a Redis dump, say) does not reveal ids that
// would let someone attach to the conversations.
func storeKey(id string) string {
	h := sha256.Sum256([]byte(id))
	return hex.EncodeToString(h[:16])
}

// logID shortens a session id for logs: the id is a credential.
func logID(id string) string {
	h := sha256.Sum256([]byte(id))
	return hex.EncodeToString(h[:6])
}

func (r *Runtime) storeErr(op string, err error) error {
	if errors.Is(err, sessions.ErrBusy) {
		return &codedError{code: "busy", err: fmt.Errorf("%s: %w", op, err)}
	}
	if errors.Is(err, sessions.ErrUnavailable) || errors.Is(err, sessions.ErrLeaseLost) || errors.Is(err, context.DeadlineExceeded) || isNetErr(err) {
		return &codedError{code: "unavailable", err: fmt.Errorf("%s: %w", op, err)}
	}
	return fmt.Errorf("%s: %w", op, err)
}

func isNetErr(err error) bool {
	var ne net.Error
	return errors.As(err, &ne)
}

// Start runs the conversation-start event of a new session. A session
// that already has state is left alone.
func (r *Runtime) Start(ctx context.Context, sessionID, userID string) ([][]byte, error) {
	ev := r.bot.Config.Events.ConversationStart
	if ev.Text == nil && !ev.ShowTasks && ev.Task == "" {
		// No handler: the conversation starts with the user's first message.
		return nil, nil
	}
	ctx, done, lease, err := r.acquireTurn(ctx, sessionID)
	if err != nil {
		return nil, r.storeErr("start session", err)
	}
	defer done()
	defer releaseOnPanic(ctx, lease)
	if lease.State() != nil {
		return nil, lease.Release(ctx)
	}
	st := newState(r.bot.Config.Languages[0])
	t := r.turn(st, sessionID, userID)
	defer r.turns.Put(t)
	_ = r.recordCalls(t, st, lease) // a start task that makes calls records them too
	if id, ok := nodes.IdentityFrom(ctx); ok {
		st.Memory.Identity = id
		r.setLang(t, "") // a language the channel fixed
	}
	t.Say(nodes.Reply{Text: phrase(t, ev.Text, "welcome"), Buttons: r.taskButtons(t, ev.ShowTasks)})
	if ev.Task != "" {
		r.startTask(ctx, st, t, ev.Task, "")
	}
	return r.commit(ctx, lease, st, t, sessionID, "")
}

// Handle runs one user input. See channels.Conversations.
func (r *Runtime) Handle(ctx context.Context, sessionID, userID string, in nodes.Input) ([][]byte, error) {
	began := time.Now()
	ctx, done, lease, err := r.acquireTurn(ctx, sessionID)
	if err != nil {
		r.metrics.turnDone("unavailable", began)
		return nil, r.storeErr("load session", err)
	}
	defer done()
	defer releaseOnPanic(ctx, lease)
	st, err := r.states.load(sessionID, lease.State())
	if err != nil {
		// A state we cannot read is logged and replaced: the user gets a
		// working conversation rather than a stuck one.
		// No conversation id: the state that held it is unreadable.
		r.log.Error("unreadable session state; starting afresh", "session", logID(sessionID), "err", err)
	}
	if st == nil {
		st = newState(r.bot.Config.Languages[0])
		// A socket that outlived its conversation's state has frames up to
		// AfterSeq: the new conversation's are numbered after them.
		st.Seq = in.AfterSeq
	} else if st.ID == "" {
		// After an end frame, or a state stored before conversations had ids.
		st.ID = newConversationID()
	}
	if m := st.seen(in.ID); m != nil {
		// A message we answered before: send the same replies again.
		if err := lease.Release(ctx); err != nil {
			return nil, r.storeErr("release session", err)
		}
		r.metrics.turnDone("replayed", began)
		return r.replay(ctx, sessionID, m.From, m.To)
	}
	t := r.turn(st, sessionID, userID)
	defer r.turns.Put(t)
	t.MessageID = in.ID
	recordFailed := r.recordCalls(t, st, lease)
	if id, ok := nodes.IdentityFrom(ctx); ok {
		st.Memory.Identity = id
		r.setLang(t, "") // a language the channel fixed
	}
	if err := r.loadScopedVars(ctx, st, userID); err != nil {
		_ = lease.Release(ctx)
		return nil, r.storeErr("load variables", err)
	}
	conversation, user := st.ID, st.User
	r.process(ctx, st, t, in)
	if st.relayErr != nil {
		// What the user wrote did not reach the agent: nothing of the
		// turn is kept, the client sends it again.
		_ = lease.Release(ctx)
		r.metrics.turnDone("unavailable", began)
		return nil, &codedError{code: "unavailable", err: st.relayErr}
	}
	st.ID, st.User = conversation, user // a restart starts over within the same conversation
	r.keepTranscript(st, t, in)
	if err := recordFailed(); err != nil {
		// A call could not be recorded before it was made, so it was not
		// made: nothing of this turn is kept, the client sends it again.
		_ = lease.Release(ctx)
		r.metrics.turnDone("unavailable", began)
		return nil, r.storeErr("record call", err)
	}
	frames, err := r.commit(ctx, lease, st, t, sessionID, in.ID)
	if err != nil {
		r.metrics.turnDone("error", began)
		return nil, err
	}
	if err := r.saveScopedVars(ctx, st, userID); err != nil {
		r.log.Error("save user/bot variables", "conversation", st.ID, "session", logID(sessionID), "err", err)
	}
	r.metrics.turnDone("ok", began)
	return frames, nil
}

// Missed returns the kept frames with seq > after.
func (r *Runtime) Missed(ctx context.Context, sessionID string, after uint64) ([][]byte, error) {
	fs, err := r.store.Outbox(ctx, storeKey(sessionID), after)
	if err != nil {
		return nil, r.storeErr("read outbox", err)
	}
	out := make([][]byte, len(fs))
	for i, f := range fs {
		out[i] = f.Data
	}
	return out, nil
}

func (r *Runtime) replay(ctx context.Context, sessionID string, from, to uint64) ([][]byte, error) {
	if from == 0 {
		return nil, nil
	}
	fs, err := r.store.Outbox(ctx, storeKey(sessionID), from-1)
	if err != nil {
		return nil, r.storeErr("read outbox", err)
	}
	var out [][]byte
	for _, f := range fs {
		if f.Seq <= to {
			out = append(out, f.Data)
		}
	}
	return out, nil
}

func (r *Runtime) turn(st *state, sessionID, userID string) *nodes.Turn {
	t, _ := r.turns.Get().(*nodes.Turn)
	if t == nil {
		t = new(nodes.Turn)
	}
	t.ResetReplies()
	t.Memory = &st.Memory
	st.Memory.Env = r.bot.Config.Env
	t.Lang = st.Lang
	st.Memory.Lang = st.Lang
	t.Now = r.now()
	t.Env = r.env
	t.Directory = r.dir
	t.User = userID
	t.Session = sessionID
	if st.ID == "" {
		// After an end frame, or a state stored before conversations had
		// ids (a parked one resumed, say).
		st.ID = newConversationID()
	}
	if st.User == "" {
		st.User = userID // the user the conversation began with
	}
	t.Conversation = st.ID
	st.Memory.ConversationID = st.ID
	t.Seq, t.Event, t.Task = st.Seq, "", ""
	t.RecordCall, t.MessageID = nil, ""
	st.Memory.Identity = nodes.Identity{}
	t.Bot = r.bot.Config.Name
	t.Utterance = st.Utt
	t.NodeID, t.State = "", nil
	return t
}

// commit numbers the turn's replies, stores them with the state, and
// returns the encoded frames.
func (r *Runtime) commit(ctx context.Context, lease sessions.Lease, st *state, t *nodes.Turn, sessionID, replyTo string) ([][]byte, error) {
	st.Calls = nil // the turn is done: nothing of it is pending any more
	st.At = r.now().UnixMilli()
	replies := t.Replies()
	if n := len(replies); n == 0 || !endsTurn(replies[n-1].Type, replyTo == "") {
		// A turn ends with a message that says whether the bot waits;
		// a desk event's live-agent frame needs none (handoff.go).
		t.Say(nodes.Reply{Type: nodes.ReplyMessage})
		replies = t.Replies()
	}
	mode := nodes.InputAccepting
	if st.Wait == waitInput {
		mode = nodes.InputExpecting
	}
	frames := make([]sessions.Frame, len(replies))
	out := make([][]byte, len(replies))
	from := st.Seq + 1
	for i := range replies {
		rp := &replies[i]
		st.Seq++
		rp.Seq = st.Seq
		rp.ReplyTo = replyTo
		if rp.Type == nodes.ReplyMessage {
			rp.Input = nodes.InputIgnoring
			if i == len(replies)-1 {
				rp.Input = mode
			}
		}
		data, err := json.Marshal(rp)
		if err != nil {
			_ = lease.Release(ctx)
			return nil, fmt.Errorf("encode reply: %w", err)
		}
		frames[i] = sessions.Frame{Seq: rp.Seq, Data: data}
		out[i] = data
	}
	st.remember(replyTo, from, st.Seq)
	st.Lang = t.Lang
	data, err := st.encode()
	if err != nil {
		_ = lease.Release(ctx)
		return nil, fmt.Errorf("encode session state: %w", err)
	}
	if err := lease.CommitExpiry(ctx, data, frames, r.expiry(st, sessionID)); err != nil {
		return nil, r.storeErr("store session", err)
	}
	r.states.remember(sessionID, data, st)
	return out, nil
}
