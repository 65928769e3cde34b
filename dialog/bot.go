package dialog

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/looplab/fsm"
	"go.yaml.in/yaml/v3"

	"github.com/botforge/dialogd/auth"
	"github.com/botforge/dialogd/dialog/nlu"
	"github.com/botforge/dialogd/nodes"
)

// Bot is a loaded, validated bot: its settings and dialog tasks. A Bot is
// immutable and safe for concurrent use.
type Bot struct {
	Config BotConfig
	Dir    string
	Tasks  map[string]*Task // by task name
	order  []string         // task names in file order, for help
	intent intentIndex
	// classifier tells tasks from free text (understand.go); nil when no
	// task has training utterances.
	classifier *nlu.Model
	// usesScopedVars is true when some file mentions user.* or bot.*
	// variables, so the runtime loads them for each turn.
	usesScopedVars bool
}

// TaskNames returns the task names in the order their files were loaded.
func (b *Bot) TaskNames() []string { return append([]string(nil), b.order...) }

// BotConfig is the schema of bot.yaml.
type BotConfig struct {
	// Name identifies the bot; it scopes stored data.
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	// Languages the bot speaks, as language codes; the first is the default.
	Languages []string `yaml:"languages"`
	Settings  Settings `yaml:"settings"`
	// Env holds values templates read as env.NAME, e.g. API base URLs.
	// ${VAR} and ${VAR:-default} are replaced from the process environment
	// when the bot loads. Not for secrets: those belong in auth profiles.
	Env map[string]string `yaml:"env"`
	// AuthProfiles are credentials service nodes refer to by name.
	AuthProfiles map[string]*auth.Profile `yaml:"auth_profiles"`
	Events       Events                   `yaml:"events"`
	// Messages are the bot's own versions of built-in texts, by phrase
	// key (nodes/phrases/en.yaml), each for every language or by language.
	Messages nodes.Phrases `yaml:"messages"`
	// Desk configures the live-agent desk (agents, teams, queues, presence
	// sync); package desk decodes it.
	Desk yaml.Node `yaml:"desk"`
	// Directory configures the customer directory imported from
	// Salesforce; package desk/directory decodes it.
	Directory yaml.Node `yaml:"directory"`
}

// Settings tune the runtime for one bot.
type Settings struct {
	// SessionIdleTTL ends a conversation after this much silence: its
	// state and outbox expire from the store (and conversation_end runs).
	// Zero takes the server's default (botd -idle-ttl, 15m).
	SessionIdleTTL time.Duration `yaml:"session_idle_ttl"`
	// MaxNodeVisits guards against loops: a turn that visits more nodes
	// fails the task (default 50).
	MaxNodeVisits int `yaml:"max_node_visits"`
	// IdentitySecret verifies the identity tokens (HS256 JWTs) a host site
	// passes to the widget, so that a signed-in customer keeps their
	// identity and authorizations across devices. At least 32 bytes.
	IdentitySecret auth.SecretRef `yaml:"identity_secret"`
	// NLU tunes the intent classifier's thresholds.
	NLU NLUSettings `yaml:"nlu"`
	// Interruptions say what happens when the user asks for another task
	// mid-task, and how held tasks come back (interrupt.go).
	Interruptions InterruptionSettings `yaml:"interruptions"`
}

// Events are the bot's event handlers.
type Events struct {
	// ConversationStart runs when a new conversation opens.
	ConversationStart StartEvent `yaml:"conversation_start"`
	// ConversationEnd runs once per conversation, when the user closes it
	// or it idles out (conversation_end.go).
	ConversationEnd EndEvent `yaml:"conversation_end"`
	// TaskEnd messages by end reason; none by default for fulfilled.
	TaskEnd TaskEndEvent `yaml:"task_end"`
	// TaskFailure is said when a task fails and neither the node nor
	// Failures has a text for it (task_end.failed first, when set).
	TaskFailure *nodes.Text `yaml:"task_failure"`
	// Failures are what the user is told, by kind of failure.
	Failures FailureTexts `yaml:"failures"`
}

// FailureTexts hold a text per kind of failure (nodes.Failure); an unset
// kind falls back to task_end.failed, task_failure, then the built-in
// phrase failure.<kind>.
type FailureTexts struct {
	ServiceError        *nodes.Text `yaml:"service_error"`
	ReconnectRequired   *nodes.Text `yaml:"reconnect_required"`
	ScriptError         *nodes.Text `yaml:"script_error"`
	RetriesExhausted    *nodes.Text `yaml:"retries_exhausted"`
	Loop                *nodes.Text `yaml:"loop"`
	AuthorizationDenied *nodes.Text `yaml:"authorization_denied"`
	LinkExpired         *nodes.Text `yaml:"link_expired"`
	InternalError       *nodes.Text `yaml:"internal_error"`
}

// StartEvent is the conversation-start handler.
type StartEvent struct {
	Text *nodes.Text `yaml:"text"`
	// ShowTasks adds a button per task.
	ShowTasks bool `yaml:"show_tasks"`
	// Task starts this task at once.
	Task string `yaml:"task"`
}

// TaskEndEvent holds a message per end reason.
type TaskEndEvent struct {
	Fulfilled *nodes.Text `yaml:"fulfilled"`
	Canceled  *nodes.Text `yaml:"canceled"`
	Failed    *nodes.Text `yaml:"failed"`
}

// Task is one loaded dialog task.
type Task struct {
	Name  string
	Title *nodes.Text
	File  string
	Root  string // id of the intent node
	Nodes map[string]*nodeDef
	// Version names this definition by its file's content (versions.go);
	// empty for a task loaded outside a bot directory (LoadTask).
	Version string

	interruptions InterruptionRules // the task file's, over the bot's
	events        fsm.Events
	pool          sync.Pool // *fsm.FSM
}

// TaskFile is the schema of a task file (tasks/*.yaml).
type TaskFile struct {
	// Name identifies the task; also a button payload that starts it.
	Name string `yaml:"name"`
	// Title is shown on help buttons.
	Title       *nodes.Text `yaml:"title"`
	Description string      `yaml:"description"`
	// Interruptions override the bot's interruption settings.
	Interruptions InterruptionRules `yaml:"interruptions"`
	// Nodes in any order; the first must be the task's intent node.
	Nodes []yaml.Node `yaml:"nodes"`
}

// NodeCommon holds the keys the host reads from every node; the rest of a
// node's mapping is the node type's own configuration.
type NodeCommon struct {
	ID   string `yaml:"id"`
	Type string `yaml:"type"`
	// Next is the default transition.
	Next nodes.Target `yaml:"next"`
	// Transitions are ordered conditions: the first true `if` wins, then `else`.
	Transitions []Transition `yaml:"transitions"`
	// FailureText is what the user is told when the task fails at this
	// node, whatever the kind, unless the node type's own field (such as
	// a service's error_message) says otherwise.
	FailureText *nodes.Text `yaml:"failure_text"`
	// Interruptions override the task's while the node waits.
	Interruptions InterruptionRules `yaml:"interruptions"`
}

// Transition is one conditional connection.
type Transition struct {
	If   string       `yaml:"if"`
	To   nodes.Target `yaml:"to"`
	Else nodes.Target `yaml:"else"`
}

var commonKeys = map[string]bool{"id": true, "type": true, "next": true, "transitions": true, "failure_text": true, "interruptions": true}

type nodeDef struct {
	NodeCommon
	node     nodes.Node
	input    nodes.InputNode // nil unless the node waits for input
	conds    []*nodes.Cond   // compiled, parallel to Transitions
	targets  []nodes.Target  // every target of this node
	returns  []nodes.Target  // nodes that come back after nodes.Reask
	returnTo nodes.Target    // where they come back to; empty: this node
	line     int
	col      int
	index    int // position in the task file's node list
}

// fsmFor returns a state machine for the task positioned at state.
func (t *Task) fsmFor(state string) *fsm.FSM {
	if m, ok := t.pool.Get().(*fsm.FSM); ok {
		m.SetState(state)
		return m
	}
	return fsm.NewFSM(state, t.events, nil)
}

func (t *Task) putFSM(m *fsm.FSM) { t.pool.Put(m) }

// move performs the transition from the machine's state to target,
// refusing one the task file does not declare.
func (t *Task) move(ctx context.Context, m *fsm.FSM, target string) error {
	if m.Current() == target {
		return nil
	}
	err := m.Event(ctx, "to:"+target)
	var noTrans fsm.NoTransitionError
	if err != nil && !errors.As(err, &noTrans) {
		return err
	}
	return nil
}
