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
	"strings"
	"sync"
	"time"

	"github.com/looplab/fsm"

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
	r := &Runtime{bot: bot, store: store, log: opts.Logger, metrics: opts.Metrics, now: opts.Now, parkTTL: opts.ParkTTL}
	r.env = &nodes.Env{HTTP: opts.HTTPClient, Auth: opts.Auth, Log: opts.Logger}
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
	if errors.Is(err, sessions.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) || isNetErr(err) {
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
	lease, err := r.store.Acquire(ctx, storeKey(sessionID))
	if err != nil {
		return nil, r.storeErr("start session", err)
	}
	if lease.State() != nil {
		return nil, lease.Release(ctx)
	}
	st := &state{V: stateVersion, Lang: r.bot.Config.Languages[0]}
	t := r.turn(st, sessionID, userID)
	defer r.turns.Put(t)
	t.Say(nodes.Reply{Text: phrase(t, ev.Text, "welcome"), Buttons: r.taskButtons(t, ev.ShowTasks)})
	if ev.Task != "" {
		r.startTask(ctx, st, t, ev.Task, "")
	}
	return r.commit(ctx, lease, st, t, sessionID, "")
}

// Handle runs one user input. See channels.Conversations.
func (r *Runtime) Handle(ctx context.Context, sessionID, userID string, in nodes.Input) ([][]byte, error) {
	began := time.Now()
	lease, err := r.store.Acquire(ctx, storeKey(sessionID))
	if err != nil {
		r.metrics.turnDone("unavailable", began)
		return nil, r.storeErr("load session", err)
	}
	st, err := decodeState(lease.State())
	if err != nil {
		// A state we cannot read is logged and replaced: the user gets a
		// working conversation rather than a stuck one.
		r.log.Error("unreadable session state; starting afresh", "session", logID(sessionID), "err", err)
	}
	if st == nil {
		st = &state{V: stateVersion, Lang: r.bot.Config.Languages[0]}
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
	if id, ok := nodes.IdentityFrom(ctx); ok {
		st.Ctx.Identity = id
	}
	if err := r.loadScopedVars(ctx, st, userID); err != nil {
		_ = lease.Release(ctx)
		return nil, r.storeErr("load variables", err)
	}
	r.process(ctx, st, t, in)
	frames, err := r.commit(ctx, lease, st, t, sessionID, in.ID)
	if err != nil {
		r.metrics.turnDone("error", began)
		return nil, err
	}
	if err := r.saveScopedVars(ctx, st, userID); err != nil {
		r.log.Error("save user/bot variables", "session", logID(sessionID), "err", err)
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

// Resume runs a parked node again (after an authorization arrived, say)
// and returns the frames to deliver outside any client turn.
func (r *Runtime) Resume(ctx context.Context, sessionID, userID string) ([][]byte, error) {
	return r.whileParked(ctx, sessionID, userID, func(st *state, t *nodes.Turn) {
		task := r.bot.Tasks[st.Task]
		switch {
		case task == nil || task.Nodes[st.Node] == nil:
			st.clearTask()
		case r.parkExpired(st):
			r.endTask(st, t, nodes.Expired, "")
		default:
			st.Wait, st.PExp, st.Pend = waitNone, 0, ""
			r.runNode(ctx, st, t, task, task.Nodes[st.Node])
		}
	})
}

// Denied ends a parked task whose user refused to grant access
// (error=access_denied on the OAuth callback) and returns the frames that
// tell the user, to deliver outside any client turn.
func (r *Runtime) Denied(ctx context.Context, sessionID, userID string) ([][]byte, error) {
	return r.whileParked(ctx, sessionID, userID, func(st *state, t *nodes.Turn) {
		t.Say(nodes.Reply{Text: phrase(t, nil, "access_denied", r.taskTitle(t, st.Task))})
		r.metrics.taskEnded(st.Task, nodes.Canceled)
		st.clearTask()
	})
}

// whileParked runs fn as a turn of its own on a session whose task is
// parked, and commits it; a session that is not parked (a replayed or late
// callback) is left alone and yields no frames.
func (r *Runtime) whileParked(ctx context.Context, sessionID, userID string, fn func(*state, *nodes.Turn)) ([][]byte, error) {
	lease, err := r.store.Acquire(ctx, storeKey(sessionID))
	if err != nil {
		return nil, r.storeErr("load session", err)
	}
	st, err := decodeState(lease.State())
	if err != nil || st == nil || st.Wait != waitAuth {
		_ = lease.Release(ctx)
		return nil, err
	}
	t := r.turn(st, sessionID, userID)
	defer r.turns.Put(t)
	fn(st, t)
	return r.commit(ctx, lease, st, t, sessionID, "")
}

func (r *Runtime) turn(st *state, sessionID, userID string) *nodes.Turn {
	t, _ := r.turns.Get().(*nodes.Turn)
	if t == nil {
		t = new(nodes.Turn)
	}
	t.ResetReplies()
	t.Ctx = &st.Ctx
	st.Ctx.Env = r.bot.Config.Env
	t.Lang = st.Lang
	t.Now = r.now()
	t.Env = r.env
	t.User = userID
	t.Session = sessionID
	st.Ctx.Identity = nodes.Identity{}
	t.Bot = r.bot.Config.Name
	t.Utterance = st.Utt
	t.NodeID, t.State = "", nil
	return t
}

// commit numbers the turn's replies, stores them with the state, and
// returns the encoded frames.
func (r *Runtime) commit(ctx context.Context, lease sessions.Lease, st *state, t *nodes.Turn, sessionID, replyTo string) ([][]byte, error) {
	replies := t.Replies()
	if n := len(replies); n == 0 || (replies[n-1].Type != nodes.ReplyMessage && replies[n-1].Type != nodes.ReplyAuthorize) {
		// A turn ends with a message that says whether the bot waits.
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
	if err := lease.Commit(ctx, data, frames); err != nil {
		return nil, r.storeErr("store session", err)
	}
	return out, nil
}

// process decides what one input means and runs it.
func (r *Runtime) process(ctx context.Context, st *state, t *nodes.Turn, in nodes.Input) {
	st.Ctx.Input = in.Value()
	n := normalize(in.Text)
	if in.Payload != "" {
		n = normalize(in.Payload)
	}
	r.detectLang(t, in.Text)

	if cmd := commands[n]; cmd != cmdNone {
		if l := commandLang(n); l != "" && r.speaks(l) {
			t.Lang = l
		}
		switch cmd {
		case cmdCancel:
			if st.Task == "" {
				t.Say(nodes.Reply{Text: phrase(t, r.bot.Config.Messages.NothingToCancel, "nothing_to_cancel")})
				return
			}
			r.endTask(st, t, nodes.Canceled, "")
			return
		case cmdHelp:
			t.Say(nodes.Reply{Text: phrase(t, r.bot.Config.Messages.Help, "help"), Buttons: r.taskButtons(t, true)})
			if st.Task != "" && st.Wait == waitInput {
				// Keep the task waiting where it was.
				return
			}
			return
		case cmdRestart:
			seq, seen, lang := st.Seq, st.Seen, t.Lang
			conv := st.Ctx.Conversation
			*st = state{V: stateVersion, Seq: seq, Seen: seen, Lang: lang}
			st.Ctx.Conversation = conv
			t.Ctx = &st.Ctx
			t.Say(nodes.Reply{Text: phrase(t, r.bot.Config.Messages.Restarted, "restarted"), Buttons: r.taskButtons(t, true)})
			return
		}
	}

	if st.Task != "" && st.Wait == waitAuth {
		if r.parked(ctx, st, t, in, n) {
			return
		}
	}
	if profile, ok := r.disconnectCommand(n); ok {
		r.disconnect(ctx, t, profile)
		return
	}

	// A button whose payload names a task starts it.
	if in.Payload != "" {
		if _, ok := r.bot.Tasks[in.Payload]; ok {
			r.switchTo(ctx, st, t, in.Payload, "")
			return
		}
	}
	// The whole text being another task's training phrase switches tasks.
	if st.Task != "" {
		if hit, ok := r.bot.intent.exact[n]; ok && hit.task != st.Task {
			r.setLang(t, hit.lang)
			r.switchTo(ctx, st, t, hit.task, in.Text)
			return
		}
	}
	if st.Task != "" {
		task := r.bot.Tasks[st.Task]
		nd := task.nodeOrNil(st.Node)
		switch {
		case nd == nil:
			// The bot changed under a running conversation.
			st.clearTask()
		case st.Wait == waitInput && nd.input != nil:
			m := task.fsmFor(nd.ID)
			defer task.putFSM(m)
			r.prepare(t, st, nd)
			out, err := nd.input.Input(ctx, t, in)
			if err != nil {
				r.nodeFailed(st, t, nd, err)
				return
			}
			r.advance(ctx, st, t, task, m, nd, out)
			return
		}
	}
	if hit, ok := r.bot.intent.match(n); ok {
		r.setLang(t, hit.lang)
		r.startTask(ctx, st, t, hit.task, in.Text)
		return
	}
	t.Say(nodes.Reply{Text: phrase(t, r.bot.Config.Messages.Fallback, "fallback"), Buttons: r.taskButtons(t, true)})
}

func (r *Runtime) speaks(lang string) bool {
	for _, l := range r.bot.Config.Languages {
		if l == lang {
			return true
		}
	}
	return false
}

func (r *Runtime) setLang(t *nodes.Turn, lang string) {
	if lang != "" && r.speaks(lang) {
		t.Lang = lang
	}
}

func (r *Runtime) detectLang(t *nodes.Turn, text string) {
	if hasJapanese(text) {
		r.setLang(t, "ja")
	}
}

func (r *Runtime) taskButtons(t *nodes.Turn, show bool) []nodes.Button {
	if !show {
		return nil
	}
	bs := make([]nodes.Button, 0, len(r.bot.order))
	for _, name := range r.bot.order {
		title := name
		if tt := r.bot.Tasks[name].Title; tt != nil {
			if s, err := tt.Render(t); err == nil && s != "" {
				title = s
			}
		}
		bs = append(bs, nodes.Button{Title: title, Payload: name})
	}
	return bs
}

func (r *Runtime) switchTo(ctx context.Context, st *state, t *nodes.Turn, task, utterance string) {
	if st.Task != "" {
		title := task
		if tt := r.bot.Tasks[task].Title; tt != nil {
			if s, err := tt.Render(t); err == nil && s != "" {
				title = s
			}
		}
		r.metrics.taskEnded(st.Task, nodes.Canceled)
		st.clearTask()
		t.Say(nodes.Reply{Text: phrase(t, nil, "switch", title)})
	}
	r.startTask(ctx, st, t, task, utterance)
}

func (t *Task) nodeOrNil(id string) *nodeDef {
	if t == nil {
		return nil
	}
	return t.Nodes[id]
}

func (r *Runtime) startTask(ctx context.Context, st *state, t *nodes.Turn, name, utterance string) {
	task := r.bot.Tasks[name]
	st.clearTask()
	st.Task, st.Node, st.Utt = name, task.Root, utterance
	st.Ctx.Intent = name
	t.Utterance = utterance
	r.runNode(ctx, st, t, task, task.Nodes[task.Root])
}

// prepare points the turn at a node.
func (r *Runtime) prepare(t *nodes.Turn, st *state, nd *nodeDef) {
	if st.NS == nil {
		st.NS = &nodes.NodeState{}
	}
	t.NodeID, t.State = nd.ID, st.NS
}

// runNode enters nd and follows the dialog until it waits or ends.
func (r *Runtime) runNode(ctx context.Context, st *state, t *nodes.Turn, task *Task, nd *nodeDef) {
	m := task.fsmFor(nd.ID)
	defer task.putFSM(m)
	r.prepare(t, st, nd)
	out, err := nd.node.Run(ctx, t)
	if err != nil {
		r.nodeFailed(st, t, nd, err)
		return
	}
	r.advance(ctx, st, t, task, m, nd, out)
}

// advance applies a node's outcome and runs the following nodes.
func (r *Runtime) advance(ctx context.Context, st *state, t *nodes.Turn, task *Task, m *fsm.FSM, nd *nodeDef, out nodes.Outcome) {
	for visits := 0; ; visits++ {
		var target nodes.Target
		switch out.Status {
		case nodes.Wait:
			if nd.input == nil {
				r.nodeFailed(st, t, nd, fmt.Errorf("node type %s waited for input but cannot take it", nd.Type))
				return
			}
			st.Wait = waitInput
			return
		case nodes.Park:
			st.Wait = waitAuth
			st.PExp = t.Now.Add(r.parkTTL).Unix()
			return
		case nodes.End:
			r.endTask(st, t, out.Reason, out.Message)
			return
		case nodes.Goto:
			target = out.Target
		default:
			var err error
			target, err = r.defaultTarget(t, nd)
			if err != nil {
				r.nodeFailed(st, t, nd, err)
				return
			}
		}
		if target == "" || target == nodes.EndTarget {
			r.endTask(st, t, nodes.Fulfilled, "")
			return
		}
		if visits >= r.bot.Config.Settings.MaxNodeVisits {
			r.log.Warn("node visit limit reached", "task", task.Name, "node", nd.ID)
			r.endTask(st, t, nodes.Failed, phrase(t, nil, "loop"))
			return
		}
		if err := task.move(ctx, m, string(target)); err != nil {
			r.nodeFailed(st, t, nd, fmt.Errorf("transition to %s: %w", target, err))
			return
		}
		nd = task.Nodes[string(target)]
		st.Node, st.Wait, st.NS = nd.ID, waitNone, nil
		r.prepare(t, st, nd)
		var err error
		out, err = nd.node.Run(ctx, t)
		if err != nil {
			r.nodeFailed(st, t, nd, err)
			return
		}
	}
}

// defaultTarget evaluates next or the ordered conditions.
func (r *Runtime) defaultTarget(t *nodes.Turn, nd *nodeDef) (nodes.Target, error) {
	if nd.Next != "" {
		return nd.Next, nil
	}
	for i, tr := range nd.Transitions {
		c := nd.conds[i]
		if c == nil {
			return tr.Else, nil
		}
		ok, err := c.Eval(t)
		if err != nil {
			return "", fmt.Errorf("condition %q: %w", tr.If, err)
		}
		if ok {
			return tr.To, nil
		}
	}
	return nodes.EndTarget, nil
}

func (r *Runtime) nodeFailed(st *state, t *nodes.Turn, nd *nodeDef, err error) {
	r.log.Error("node failed", "task", st.Task, "node", nd.ID, "type", nd.Type, "err", err)
	r.endTask(st, t, nodes.Failed, "")
}

// endTask runs the task-end event and clears the task.
func (r *Runtime) endTask(st *state, t *nodes.Turn, reason nodes.Reason, msg string) {
	ev := r.bot.Config.Events
	switch reason {
	case nodes.Failed:
		if msg == "" {
			override := ev.TaskEnd.Failed
			if override == nil {
				override = ev.TaskFailure
			}
			msg = phrase(t, override, "failed")
		}
		t.Say(nodes.Reply{Text: msg})
	case nodes.Canceled:
		t.Say(nodes.Reply{Text: phrase(t, ev.TaskEnd.Canceled, "canceled")})
	case nodes.Expired:
		t.Say(nodes.Reply{Text: phrase(t, nil, "link_expired")})
	case nodes.Fulfilled, nodes.HandedOff:
		if ev.TaskEnd.Fulfilled != nil {
			if s, err := ev.TaskEnd.Fulfilled.Render(t); err == nil && s != "" {
				t.Say(nodes.Reply{Text: s})
			}
		}
	}
	r.metrics.taskEnded(st.Task, reason)
	st.clearTask()
}

// Scoped variables live in their own store keys.
func (r *Runtime) varKeys(userID string) (string, string) {
	return "uv:" + r.bot.Config.Name + ":" + userID, "bv:" + r.bot.Config.Name
}

func (r *Runtime) loadScopedVars(ctx context.Context, st *state, userID string) error {
	if !r.bot.usesScopedVars {
		return nil
	}
	uk, bk := r.varKeys(userID)
	for _, kv := range []struct {
		key string
		dst *map[string]nodes.Var
	}{{uk, &st.Ctx.User}, {bk, &st.Ctx.Bot}} {
		b, err := r.store.Get(ctx, kv.key)
		if err != nil {
			return err
		}
		*kv.dst = nil
		if len(b) > 0 {
			if err := json.Unmarshal(b, kv.dst); err != nil {
				r.log.Error("unreadable variables; ignoring them", "key", kv.key, "err", err)
			}
		}
	}
	return nil
}

func (r *Runtime) saveScopedVars(ctx context.Context, st *state, userID string) error {
	if !r.bot.usesScopedVars {
		return nil
	}
	uk, bk := r.varKeys(userID)
	now := r.now().Unix()
	for _, kv := range []struct {
		key  string
		vars map[string]nodes.Var
	}{{uk, st.Ctx.User}, {bk, st.Ctx.Bot}} {
		if kv.vars == nil {
			continue
		}
		var maxExp int64
		for k, v := range kv.vars {
			if v.Exp != 0 && v.Exp <= now {
				delete(kv.vars, k)
				continue
			}
			if v.Exp == 0 {
				maxExp = -1
			} else if maxExp >= 0 && v.Exp > maxExp {
				maxExp = v.Exp
			}
		}
		b, err := json.Marshal(kv.vars)
		if err != nil {
			return err
		}
		var ttl time.Duration
		if maxExp > 0 {
			ttl = time.Duration(maxExp-now) * time.Second
		}
		if err := r.store.Set(ctx, kv.key, b, ttl); err != nil {
			return err
		}
	}
	return nil
}

func (r *Runtime) parkExpired(st *state) bool {
	return st.PExp != 0 && r.now().Unix() >= st.PExp
}

// parked handles an input while the task waits for an authorization; it
// reports whether it dealt with the input. Commands were handled before.
func (r *Runtime) parked(ctx context.Context, st *state, t *nodes.Turn, in nodes.Input, n string) bool {
	task := r.bot.Tasks[st.Task]
	nd := task.nodeOrNil(st.Node)
	if nd == nil {
		st.clearTask()
		return false
	}
	if r.parkExpired(st) {
		// A distinct outcome from cancel: the link ran out.
		r.endTask(st, t, nodes.Expired, "")
		return false // the input may still start something
	}
	rerun := func() {
		st.Wait, st.PExp, st.Pend = waitNone, 0, ""
		r.runNode(ctx, st, t, task, nd)
	}
	if st.Pend != "" {
		yes, ok := nodes.ParseYesNo(in.Value(), t.Lang, nil, nil)
		switch {
		case ok && yes:
			r.switchTo(ctx, st, t, st.Pend, "")
		case ok && !yes:
			t.Say(nodes.Reply{Text: phrase(t, nil, "still_waiting", r.taskTitle(t, st.Task))})
			rerun()
		default:
			r.askDiscard(t, st, st.Pend)
		}
		return true
	}
	other := ""
	if in.Payload != "" && r.bot.Tasks[in.Payload] != nil {
		other = in.Payload
	} else if hit, ok := r.bot.intent.match(n); ok {
		other = hit.task
	}
	if other != "" && other != st.Task {
		st.Pend = other
		r.askDiscard(t, st, other)
		return true
	}
	// Anything else: the link again, from a fresh run of the node.
	t.Say(nodes.Reply{Text: phrase(t, nil, "parked")})
	rerun()
	return true
}

func (r *Runtime) askDiscard(t *nodes.Turn, st *state, other string) {
	yes, no := "Yes", "No"
	switch t.Lang {
	case "ja":
		yes, no = "はい", "いいえ"
	case "de":
		yes, no = "Ja", "Nein"
	}
	t.Say(nodes.Reply{
		Text:         phrase(t, nil, "discard_parked", r.taskTitle(t, st.Task), r.taskTitle(t, other)),
		QuickReplies: []nodes.Button{{Title: yes, Payload: yes}, {Title: no, Payload: no}},
	})
}

func (r *Runtime) taskTitle(t *nodes.Turn, name string) string {
	if task := r.bot.Tasks[name]; task != nil && task.Title != nil {
		if s, err := task.Title.Render(t); err == nil && s != "" {
			return s
		}
	}
	return name
}

// disconnectCommand recognises "disconnect salesforce" and its Japanese
// and German forms, for a profile name (or the provider it is for).
func (r *Runtime) disconnectCommand(n string) (string, bool) {
	if len(r.bot.Config.AuthProfiles) == 0 {
		return "", false
	}
	var target string
	switch {
	case strings.HasPrefix(n, "disconnect from "):
		target = strings.TrimPrefix(n, "disconnect from ")
	case strings.HasPrefix(n, "disconnect "):
		target = strings.TrimPrefix(n, "disconnect ")
	case strings.HasPrefix(n, "log out of "):
		target = strings.TrimPrefix(n, "log out of ")
	case strings.HasSuffix(n, " trennen"):
		target = strings.TrimSuffix(strings.TrimPrefix(n, "verbindung zu "), " trennen")
	case strings.HasSuffix(n, " abmelden"):
		target = strings.TrimSuffix(strings.TrimPrefix(n, "von "), " abmelden")
	default:
		for _, suffix := range []string{"との連携を解除", "の連携を解除", "連携解除", "との接続を解除", "からログアウト"} {
			if strings.HasSuffix(n, suffix) {
				target = strings.TrimSuffix(n, suffix)
				break
			}
		}
	}
	target = strings.TrimSpace(target)
	if target == "" {
		return "", false
	}
	for name := range r.bot.Config.AuthProfiles {
		if normalize(name) == target || profileProvider(r.bot.Config.AuthProfiles[name]) == target {
			return name, true
		}
	}
	return "", false
}

func (r *Runtime) disconnect(ctx context.Context, t *nodes.Turn, profile string) {
	label := profileLabel(profile, r.bot.Config.AuthProfiles[profile])
	rv, ok := r.env.Auth.(Revoker)
	if !ok {
		t.Say(nodes.Reply{Text: phrase(t, nil, "not_connected", label)})
		return
	}
	if err := rv.Revoke(ctx, t.User, profile); err != nil {
		r.log.Error("disconnect failed", "profile", profile, "err", err)
		t.Say(nodes.Reply{Text: phrase(t, nil, "disconnect_failed", label)})
		return
	}
	t.Say(nodes.Reply{Text: phrase(t, nil, "disconnected", label)})
}
