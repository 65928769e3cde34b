package desk

import (
	"cmp"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"golang.org/x/crypto/bcrypt"
)

// Users is the user side of handed-off conversations: the dialog runtime
// that holds each user's session (botd implements it).
type Users interface {
	// AgentEvent applies what an agent did to the user's conversation and
	// delivers the frames it makes to the user's widget.
	AgentEvent(ctx context.Context, session, user string, ev UserEvent) error
	// AgentTyping shows the user that the agent types.
	AgentTyping(ctx context.Context, session, agentName string) error
}

// UserEvent is what the desk tells a user's conversation.
type UserEvent struct {
	Kind           string // queued, joined, message, left
	ID             string // the handoff conversation
	Agent          string // the agent's display name
	SalesforceUser string // joined: the agent's linked Salesforce user id
	Text           string
	Position       int
	Wait           time.Duration
}

// User event kinds.
const (
	UserQueued  = "queued"
	UserJoined  = "joined"
	UserMessage = "message"
	UserLeft    = "left"
)

// Options tune a Desk. Zero fields take defaults.
type Options struct {
	Logger *slog.Logger
	Now    func() time.Time
	// Instance names this process in events (default: a random id).
	Instance string
	Metrics  *Metrics
	// SalesforceUsers links agents to Salesforce users; nil: no linking.
	SalesforceUsers SalesforceUsers
	// Title names the desk's bot to agents (default: the bot's name).
	Title string
	// PageTimeout, when set, routes conversations only to agents with a
	// desk page seen connected within it: every instance marks its pages'
	// agents seen every third of it. Zero routes to every available
	// agent (tests).
	PageTimeout time.Duration
}

// Desk is one bot's live-agent desk.
type Desk struct {
	bot         string
	cfg         *Config
	store       Store
	users       Users
	log         *slog.Logger
	now         func() time.Time
	instance    string
	metrics     *Metrics
	sfUsers     SalesforceUsers
	pageTimeout time.Duration
	title       string
	passwords   map[string]string // agent id → password read from its SecretRef
	hub         *hub
	board       atomic.Pointer[Board] // the last board this process loaded
	ready       chan struct{}
	readyOnce   sync.Once

	wmu      sync.Mutex
	watchers map[int]func(AgentStatus)
	nextW    int
}

// New returns the desk of bot. It reads the agents' passwords now.
func New(bot string, cfg *Config, store Store, users Users, opts Options) (*Desk, error) {
	d := &Desk{bot: bot, cfg: cfg, store: store, users: users, log: opts.Logger, now: opts.Now,
		instance: opts.Instance, metrics: opts.Metrics, sfUsers: opts.SalesforceUsers, pageTimeout: opts.PageTimeout, title: cmp.Or(opts.Title, bot), passwords: map[string]string{},
		ready: make(chan struct{}), watchers: map[int]func(AgentStatus){}}
	if d.log == nil {
		d.log = slog.Default()
	}
	if d.now == nil {
		d.now = time.Now
	}
	if d.instance == "" {
		d.instance = uuid.NewString()
	}
	if d.metrics == nil {
		d.metrics = NewMetrics(nil)
	}
	for _, a := range cfg.Agents {
		if a.Password.IsZero() {
			continue
		}
		pw, err := a.Password.Resolve()
		if err != nil {
			return nil, fmt.Errorf("desk: agent %s: %w", a.ID, err)
		}
		d.passwords[a.ID] = pw
	}
	d.hub = newHub(d)
	return d, nil
}

// Bot is the bot whose desk this is.
func (d *Desk) Bot() string { return d.bot }

// Title names the desk's bot to agents.
func (d *Desk) Title() string { return d.title }

// Config is the desk's configuration.
func (d *Desk) Config() *Config { return d.cfg }

// Agents returns the configured agents.
func (d *Desk) Agents() []AgentConfig { return append([]AgentConfig(nil), d.cfg.Agents...) }

// Run follows the other instances' changes until ctx ends, subscribing
// again after a lost subscription.
func (d *Desk) Run(ctx context.Context) {
	go d.hub.flushBoards(ctx)
	if d.pageTimeout > 0 {
		go d.hub.heartbeat(ctx, d.pageTimeout/3)
	}
	go d.linkConfigured(ctx)
	first := true
	for backoff := 100 * time.Millisecond; ctx.Err() == nil; backoff = min(2*backoff, 5*time.Second) {
		err := d.store.Subscribe(ctx, func() {
			d.readyOnce.Do(func() { close(d.ready) })
			d.hub.boardChanged() // what changed while we were away
			if !first {
				go d.hub.resync(ctx) // and the messages missed meanwhile
			}
			first = false
		}, d.hub.event)
		if ctx.Err() != nil {
			return
		}
		d.log.Warn("desk events: subscribe again", "bot", d.bot, "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
	}
}

// Ready is closed once the desk follows the other instances' changes.
func (d *Desk) Ready() <-chan struct{} { return d.ready }

// Login checks an agent's password and moves a signed-out agent to
// unavailable, from where they pick their state. It returns the agent's
// sign-in generation, which their session cookie carries.
func (d *Desk) Login(ctx context.Context, agent, password string) (AgentConfig, int64, error) {
	a := d.cfg.agent(agent)
	if a == nil {
		// Compare anyway, so that a wrong id costs what a wrong password does.
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return AgentConfig{}, 0, ErrBadPassword
	}
	if !d.passwordOK(a, password) {
		return AgentConfig{}, 0, ErrBadPassword
	}
	var gen int64
	_, err := d.change(ctx, "", func(b *Board) error {
		if st := b.Agents[agent]; st.State == Offline {
			st.set(Unavailable, "", OriginLogin, d.now())
		}
		gen = b.Gens[agent]
		return nil
	})
	return *a, gen, err
}

// SignOut makes the agent offline and voids their sessions: every page
// of theirs closes, and no cookie signed before opens one again.
func (d *Desk) SignOut(ctx context.Context, agent string) error {
	var held []string
	_, err := d.change(ctx, "", func(b *Board) error {
		if b.Gens == nil {
			b.Gens = map[string]int64{}
		}
		b.Gens[agent]++
		b.Agents[agent].set(Offline, "", OriginLogin, d.now())
		held = append(held[:0], b.Agents[agent].Convs...)
		return nil
	})
	if err != nil {
		return err
	}
	d.endHeld(ctx, agent, held)
	return d.store.Publish(ctx, Event{Kind: evSignedOut, Agent: agent, From: d.instance})
}

// sessionValid reports whether a session of agent's generation gen is
// still good.
func (d *Desk) sessionValid(ctx context.Context, agent string, gen int64) bool {
	b, err := d.store.Load(ctx)
	return err == nil && b.Gens[agent] == gen
}

var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("no agent has this password"), bcrypt.MinCost)

func (d *Desk) passwordOK(a *AgentConfig, password string) bool {
	if a.PasswordHash != "" {
		return bcrypt.CompareHashAndPassword([]byte(a.PasswordHash), []byte(password)) == nil
	}
	want, ok := d.passwords[a.ID]
	return ok && want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(password)) == 1
}

// Status returns an agent's state.
func (d *Desk) Status(ctx context.Context, agent string) (AgentStatus, error) {
	if d.cfg.agent(agent) == nil {
		return AgentStatus{}, fmt.Errorf("%w: %q", ErrNoSuchAgent, agent)
	}
	b, err := d.store.Load(ctx)
	if err != nil {
		return AgentStatus{}, err
	}
	b.fill(d.cfg)
	return *b.Agents[agent], nil
}

// SetState changes an agent's state; origin says who changed it (the
// Origin* constants). Previous goes back to the state before the last
// change. Busy cannot be set by hand, and an agent who is made available
// while holding a full load of conversations is busy.
func (d *Desk) SetState(ctx context.Context, agent string, st State, reason, origin string) (AgentStatus, error) {
	if d.cfg.agent(agent) == nil {
		return AgentStatus{}, fmt.Errorf("%w: %q", ErrNoSuchAgent, agent)
	}
	if err := d.checkState(st, reason); err != nil {
		return AgentStatus{}, err
	}
	var out AgentStatus
	_, err := d.change(ctx, "", func(b *Board) error {
		a := b.Agents[agent]
		want, why := st, reason
		if st == Previous {
			if a.PrevState == "" {
				return ErrNoPrevious
			}
			want, why = a.PrevState, a.PrevReason
		}
		if want == Busy { // a previous busy: as the load is now
			want = Available
		}
		if want == Available && a.Active >= a.Capacity {
			want = Busy
		}
		if want != Unavailable {
			why = ""
		}
		a.set(want, why, origin, d.now())
		out = *a
		return nil
	})
	if err != nil {
		return AgentStatus{}, err
	}
	if out.State == Offline {
		d.endHeld(ctx, agent, out.Convs)
	}
	return out, nil
}

// endHeld ends the conversations an agent who went offline held: the bot
// takes them back (the user may ask for a person again) rather than
// leaving them with nobody.
func (d *Desk) endHeld(ctx context.Context, agent string, convs []string) {
	for _, id := range convs {
		if err := d.end(ctx, id, agent, "offline"); err != nil {
			d.log.Warn("desk: end a conversation of an agent gone offline", "bot", d.bot, "agent", agent, "err", err)
		}
	}
}

func (d *Desk) checkState(st State, reason string) error {
	switch st {
	case Available, Offline, Previous:
		return nil
	case Busy:
		return ErrBusyByHand
	case Unavailable:
		if reason == "" {
			return nil
		}
		for _, r := range d.cfg.Reasons {
			if r.Code == reason {
				return nil
			}
		}
		return fmt.Errorf("%w: %q", ErrBadReason, reason)
	}
	return fmt.Errorf("%w: %q", ErrBadState, st)
}

// WatchStates calls fn for every agent state change, on any instance,
// until ctx ends.
func (d *Desk) WatchStates(ctx context.Context, fn func(AgentStatus)) error {
	stop := d.addWatcher(fn)
	defer stop()
	<-ctx.Done()
	return ctx.Err()
}

// addWatcher calls fn for every agent state change until stop is called.
func (d *Desk) addWatcher(fn func(AgentStatus)) (stop func()) {
	d.wmu.Lock()
	defer d.wmu.Unlock()
	id := d.nextW
	d.nextW++
	d.watchers[id] = fn
	return func() {
		d.wmu.Lock()
		delete(d.watchers, id)
		d.wmu.Unlock()
	}
}

func (d *Desk) stateChanged(st AgentStatus) {
	d.wmu.Lock()
	fns := make([]func(AgentStatus), 0, len(d.watchers))
	for _, fn := range d.watchers {
		fns = append(fns, fn)
	}
	d.wmu.Unlock()
	for _, fn := range fns {
		fn(st)
	}
}

// SalesforceUser returns the agent's linked Salesforce user id, "" when
// not linked.
func (d *Desk) SalesforceUser(ctx context.Context, agent string) (string, error) {
	b, err := d.store.Load(ctx)
	if err != nil {
		return "", err
	}
	return b.Links[agent], nil
}

// LinkSalesforce links an agent to a Salesforce user: its id and user
// name ("" unlinks).
func (d *Desk) LinkSalesforce(ctx context.Context, agent, userID, username string) error {
	if d.cfg.agent(agent) == nil {
		return fmt.Errorf("%w: %q", ErrNoSuchAgent, agent)
	}
	_, err := d.change(ctx, "", func(b *Board) error {
		if b.LinkNames == nil {
			b.LinkNames = map[string]string{}
		}
		if userID == "" {
			delete(b.Links, agent)
			delete(b.LinkNames, agent)
			return nil
		}
		for other, id := range b.Links {
			if id == userID && other != agent {
				return fmt.Errorf("%w: %s", ErrLinkedElsewhere, other)
			}
		}
		b.Links[agent], b.LinkNames[agent] = userID, username
		return nil
	})
	if err == nil {
		err = d.store.Publish(ctx, Event{Kind: evLinked, Agent: agent, From: d.instance})
	}
	return err
}

// linkedUser returns the agent's linked Salesforce user id and name.
func (d *Desk) linkedUser(ctx context.Context, agent string) (id, username string, err error) {
	b, err := d.store.Load(ctx)
	if err != nil {
		return "", "", err
	}
	return b.Links[agent], b.LinkNames[agent], nil
}

// agentName is the display name of an agent.
func (d *Desk) agentName(id string) string {
	if a := d.cfg.agent(id); a != nil && a.Name != "" {
		return a.Name
	}
	return id
}

// errUnchanged makes change store nothing.
var errUnchanged = errors.New("desk: unchanged")
