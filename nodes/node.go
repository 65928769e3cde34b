package nodes

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// Node is one step of a dialog task. A node type is a Go struct whose
// exported, yaml-tagged fields are its configuration schema; the host decodes
// a task file strictly into a fresh value from the type's New function, then
// calls Provision and Validate when the node implements them.
//
// Run is called when the dialog enters the node. It may add replies with
// [Turn.Say] and returns what the dialog does next.
type Node interface {
	Run(ctx context.Context, t *Turn) (Outcome, error)
}

// InputNode is a node that waits for the user. After Run returned [StatusWait],
// the next user input of the conversation is handed to Input.
type InputNode interface {
	Node
	Input(ctx context.Context, t *Turn, in Input) (Outcome, error)
}

// Provisioner is implemented by nodes that prepare themselves once after
// decoding (compile templates, look up shared settings).
type Provisioner interface {
	Provision(h *Host) error
}

// Validator is implemented by nodes that check rules spanning several fields.
type Validator interface {
	Validate() error
}

// Trainer is implemented by nodes that contribute training utterances for
// starting their task (the intent node).
type Trainer interface {
	// Utterances returns the training phrases per language code.
	Utterances() map[string][]string
}

// Host is what a node sees of the bot while it is being provisioned.
type Host struct {
	Bot       string   // bot name
	Task      string   // task name
	NodeID    string   // id of the node being provisioned
	Languages []string // languages the bot supports; the first is the default
	// AuthProfiles are the names of the auth profiles declared in bot.yaml.
	AuthProfiles map[string]bool
	// APIVersions are the API versions auth profiles declare (a
	// salesforce profile's api_version), by profile name.
	APIVersions map[string]string
}

// Input is one user input as the runtime hands it to nodes.
type Input struct {
	ID      string // client message id, unique per session
	Text    string // what the user typed, or a button's label
	Payload string // button payload, empty for typed text
	// AfterSeq is the highest frame seq the client's connection has seen:
	// a conversation that starts afresh (its state idled out while the
	// socket stayed open) numbers its frames after it, so the client does
	// not take them for frames it has.
	AfterSeq uint64
}

// Value returns the payload of a button press, or the typed text.
func (in Input) Value() string {
	if in.Payload != "" {
		return in.Payload
	}
	return in.Text
}

// Turn is what a node sees while it runs: the conversation context, the
// replies of this turn, and the runtime services. A Turn is used by one
// goroutine at a time.
type Turn struct {
	Memory    *Memory    // the conversation context
	Lang      string     // current language code (e.g. "en", "ja", "de")
	Now       time.Time  // the turn's clock; use it instead of time.Now
	Task      string     // name of the running task
	NodeID    string     // id of the running node
	State     *NodeState // scratch state of the running node, kept across turns
	Utterance string     // the text that started the task, for entity pre-extraction
	Env       *Env       // runtime services
	User      string     // stable id of the end user (anonymous users get one too)
	Session   string     // the conversation's session id (never log it: it is a credential)
	Bot       string     // the bot's name
	// Directory is the bot's customer directory (the directory_lookup
	// node searches it); nil when the bot has none.
	Directory Directory

	// Conversation identifies this conversation (a UUIDv7 minted when its
	// state was created): safe to log, for transcripts and idempotency keys.
	Conversation string
	// Seq is the conversation's frame sequence when the turn began. With
	// Conversation it names the turn: a turn that is run again (its commit
	// was lost) has the same Seq, a later turn a higher one.
	Seq uint64
	// Event names what runs this turn when it is not a user's message
	// ("conversation_end:idle", say), or is "".
	Event string
	// MessageID is the client's id of the message this turn answers ("" for
	// events and for clients that send none). A client re-sends a message
	// it got no answer for with the same id.
	MessageID string
	// RecordCall, when set, stores in the session, before a call with a
	// side effect is made, that the call with idempotency key key is being
	// made. It reports whether an earlier run of this turn recorded the same
	// call: that run died after starting the call and before its commit, so
	// the call may have taken effect. Resendable says the API honours the
	// key (the call may be sent again with it): the runtime then skips the
	// record when a run of the same message after a crash would name the
	// call the same anyway, and again is false. Nil in runs that have no
	// session to record in.
	RecordCall func(ctx context.Context, key string, resendable bool) (again bool, err error)

	replies []Reply
	calls   int // service calls made in this turn, for idempotency keys
}

// Say adds a reply to the turn. The runtime numbers the replies and decides
// their input mode.
func (t *Turn) Say(r Reply) {
	if r.Type == "" {
		r.Type = ReplyMessage
	}
	t.replies = append(t.replies, r)
}

// Replies returns the replies added so far.
func (t *Turn) Replies() []Reply { return t.replies }

// ResetReplies starts a turn afresh: an empty reply list (its storage
// kept) and no service calls counted yet.
func (t *Turn) ResetReplies() { t.replies, t.calls = t.replies[:0], 0 }

// NodeState is the per-node scratch state the runtime keeps while the dialog
// waits at a node (retries so far, whether the prompt was shown, …).
type NodeState struct {
	Retries int            `json:"r,omitempty"`
	Data    map[string]any `json:"d,omitempty"`
}

// Env holds the services the runtime lends to nodes.
type Env struct {
	HTTP *http.Client // client for outgoing calls; never nil at run time
	Auth Authorizer   // applies auth profiles; nil means no profiles
	Log  *slog.Logger // never nil at run time
	// ServiceObserver, when set, is told the outcome of every service call.
	ServiceObserver func(node string, status int, d time.Duration, err error)
	// Phrases are the bot's own versions of built-in texts (see [Turn.Phrase]).
	Phrases Phrases
}

// Authorizer applies the credentials of a named auth profile to an outgoing
// request on behalf of the turn's user. It is the seam through which OAuth
// profiles plug in: an Authorizer returns an error wrapping
// [ErrAuthorizationRequired] (use [AuthorizationRequiredError]) when the user
// must grant access first.
type Authorizer interface {
	Apply(ctx context.Context, t *Turn, profile string, req *http.Request) error
}

// BaseURLer is implemented by Authorizers whose credentials come with the
// address to call, such as Salesforce's instance_url. A service node whose
// URL renders to a path ("/services/data/…") asks it for the base.
type BaseURLer interface {
	BaseURL(ctx context.Context, t *Turn, profile string) (string, error)
}

// Refresher is implemented by Authorizers that can renew a rejected
// credential. The service node calls Refresh once after a 401 and retries
// the call once if it returns nil.
type Refresher interface {
	Refresh(ctx context.Context, t *Turn, profile string) error
}

// Status says what the dialog does after a node ran.
type Status uint8

const (
	// StatusNext follows the node's default transitions (next or conditions).
	StatusNext Status = iota
	// StatusGoto jumps to Outcome.Target.
	StatusGoto
	// StatusWait keeps the dialog at the node until the user answers.
	StatusWait
	// StatusEnd ends the task with Outcome.Reason.
	StatusEnd
	// StatusPark keeps the dialog at the node until something outside the chat
	// happens (an authorization); the node is run again then.
	StatusPark
)

// Reason is why a task ended.
type Reason string

// End reasons.
const (
	Fulfilled Reason = "fulfilled"
	Canceled  Reason = "canceled"
	Failed    Reason = "failed"
	// HandedOff is a fulfilled task that ended in an agent transfer.
	HandedOff Reason = "handed_off"
	// Expired is a task that waited for an authorization longer than allowed.
	Expired Reason = "expired"
)

// Outcome is what a node returns: how the dialog goes on.
type Outcome struct {
	Status  Status
	Target  Target // for StatusGoto
	Reason  Reason // for StatusEnd
	Message string // for StatusEnd with Failed: what the user is told; empty lets the host choose by Failure
	// Failure is the kind of failure, for StatusEnd with Failed and for
	// StatusGoto to an error branch (see [FailWith] and [Recover]).
	Failure Failure
	// Told, for StatusEnd with Failed, says the node already told the
	// user why (see [FailTold]): the host adds no failure text.
	Told bool
	// Reask, for StatusGoto, makes the target node forget its answer
	// before it runs (a [Forgetter]), so that it asks again: see [Reask].
	Reask bool
	// Back, with Reask, is where the dialog goes once the target has its
	// answer; empty follows the target's own transitions.
	Back Target
}

// Reask jumps to target, a node that asked the user for something, and
// makes it ask again: its answer is forgotten first (the node is a
// [Forgetter]); every other answer is kept. Once target has its answer,
// the dialog goes to back (a confirmation, or the node that returned
// Reask, which then runs again), or when back is empty along target's
// own transitions (answers already given are not asked again). An
// integration uses it when the system it called refused one value.
func Reask(target, back Target) Outcome {
	out := GoTo(target)
	out.Reask = out.Status == StatusGoto
	out.Back = back
	return out
}

// Returner is implemented by nodes that ask other nodes again ([Reask])
// with a way back: ReturnsFrom lists those nodes and where the dialog goes
// once they have their answer (empty: none), so that the host allows the
// way back.
type Returner interface {
	ReturnsFrom() (from []Target, to Target)
}

// Forgetter is implemented by nodes that keep an answer in the context
// (entity nodes): Forget removes it, so that the node asks again.
type Forgetter interface {
	Forget(t *Turn)
}

// Next follows the node's default transitions.
func Next() Outcome { return Outcome{Status: StatusNext} }

// Wait keeps the dialog at the node until the user answers.
func Wait() Outcome { return Outcome{Status: StatusWait} }

// GoTo jumps to a target declared in the node's config. A zero target means
// the node's default transitions.
func GoTo(t Target) Outcome {
	if t == "" {
		return Next()
	}
	return Outcome{Status: StatusGoto, Target: t}
}

// End ends the task with a reason.
func End(r Reason) Outcome { return Outcome{Status: StatusEnd, Reason: r} }

// Park keeps the dialog at the node until something outside the chat happens
// (an authorization arrives); the runtime then runs the node again.
func Park() Outcome { return Outcome{Status: StatusPark} }

// Fail ends the task as failed, telling the user msg.
func Fail(msg string) Outcome { return Outcome{Status: StatusEnd, Reason: Failed, Message: msg} }

// Target names where a transition goes: a node id of the same task, or
// [EndTarget]. Config fields of type Target (or []Target) are found by the
// host, which checks that they exist and derives the state machine's
// transitions from them, so a transition is never written twice.
type Target string

// EndTarget ends the dialog as fulfilled.
const EndTarget Target = "end"

// Reply types.
const (
	ReplyMessage   = "message"
	ReplyAuthorize = "authorize"
	ReplyHandoff   = "handoff"
	// Live-agent frames (the desk, dialog/handoff*.go): the user's place
	// in the queue, an agent taking the conversation, an agent's message,
	// the agent leaving it.
	ReplyQueued       = "queued"
	ReplyAgentJoined  = "agent_joined"
	ReplyAgentMessage = "agent_message"
	ReplyAgentLeft    = "agent_left"
)

// Input modes of a message reply (protocol v1).
const (
	InputIgnoring  = "ignoring"
	InputExpecting = "expecting"
	InputAccepting = "accepting"
)

// Reply is one frame the bot sends. Its JSON form is the protocol v1 frame.
type Reply struct {
	Type         string   `json:"type"`
	Seq          uint64   `json:"seq,omitempty"`
	ReplyTo      string   `json:"reply_to,omitempty"`
	Text         string   `json:"text,omitempty"`
	Buttons      []Button `json:"buttons,omitempty"`
	QuickReplies []Button `json:"quick_replies,omitempty"`
	Input        string   `json:"input,omitempty"`
	URL          string   `json:"url,omitempty"`          // authorize
	Profile      string   `json:"profile,omitempty"`      // authorize
	Reason       string   `json:"reason,omitempty"`       // handoff: why the user is handed over
	Queue        string   `json:"queue,omitempty"`        // handoff: the desk queue asked for ("" the desk's first)
	Agent        string   `json:"agent,omitempty"`        // agent_*: the agent's display name
	Position     int      `json:"position,omitempty"`     // queued: 1-based place in the queue
	WaitSeconds  int      `json:"wait_seconds,omitempty"` // queued: expected wait
	Lang         string   `json:"lang,omitempty"`         // queued, agent_*: the conversation's language, for the client's own labels
	// Card is a record shown with the message (see [Reply.WithCard]);
	// Lead is then the message's own sentence, and Text holds both.
	Card *Card  `json:"card,omitempty"`
	Lead string `json:"lead,omitempty"`
}

// Button is a button or quick reply: a label and the payload sent back.
type Button struct {
	Title   string `json:"title"`
	Payload string `json:"payload"`
	// URL makes the button a link: the client opens it and sends nothing.
	URL string `json:"url,omitempty"`
	// Subtitle is a second line under the title (a record's e-mail, say);
	// clients that do not show it lose nothing the payload needs.
	Subtitle string `json:"subtitle,omitempty"`
}
