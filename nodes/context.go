package nodes

import "strings"

// Scope is where a variable lives and how long.
type Scope string

// Variable scopes.
const (
	// ScopeConversation variables live in the session state.
	ScopeConversation Scope = "conversation"
	// ScopeUser variables belong to the end user across conversations.
	ScopeUser Scope = "user"
	// ScopeBot variables are shared by every user of the bot.
	ScopeBot Scope = "bot"
)

// Var is a variable value with an optional expiry (Unix seconds, 0 = none).
type Var struct {
	V   any   `json:"v"`
	Exp int64 `json:"e,omitempty"`
}

// Memory is the conversation context that templates, conditions and
// scripts read. Its JSON form is part of the session state, so it is kept
// compact. Values are JSON values: string, float64, bool, nil,
// map[string]any and []any.
//
// Paths address it from a root:
//
//	intent                      the task's intent name
//	lang                        the current language
//	input                       the user's latest text (or button payload)
//	entities.<name>             filled entities
//	conversation.<name>         conversation variables
//	user.<name>, bot.<name>     user and bot variables
//	env.<name>                  the bot's environment values (bot.yaml env:)
//	identity.<field>            who the user is: verified, subject, name, email, phone
//	today, now                  the turn's date and time (UTC): "2026-12-07", "2026-12-07T09:30:00Z"
//	<node id>.<key>…            what a node stored, e.g. create_lead.response.body.id
type Memory struct {
	Intent   string         `json:"i,omitempty"`
	Lang     string         `json:"l,omitempty"`
	Input    string         `json:"in,omitempty"`
	Entities map[string]any `json:"en,omitempty"`
	// Nodes holds per-node results by node id; a service node stores
	// {"response": {"status": 201, "body": …}}. The key "~cleared" (no
	// node id) lists the entities cleared in the running task.
	Nodes        map[string]any `json:"n,omitempty"`
	Conversation map[string]Var `json:"cv,omitempty"`
	User         map[string]Var `json:"uv,omitempty"` // loaded by the runtime, not kept in the session state
	Bot          map[string]Var `json:"bv,omitempty"` // loaded by the runtime, not kept in the session state
	// Env holds the bot's environment values; set by the runtime, never stored.
	Env map[string]string `json:"-"`
	// Identity is who the user is, as the channel established it; set by
	// the runtime for each turn, never stored.
	Identity Identity `json:"-"`
	// ConversationID is the conversation's id, read as conversation.id
	// (unless a conversation variable is named id); set by the runtime.
	ConversationID string `json:"-"`
}

// Reserved path roots; any other root is a node id.
var reservedRoots = map[string]bool{
	"intent": true, "lang": true, "input": true, "entities": true,
	"conversation": true, "user": true, "bot": true, "env": true, "identity": true,
	"today": true, "now": true,
}

// IsReservedRoot reports whether name is a context root that cannot be a node id.
func IsReservedRoot(name string) bool { return reservedRoots[name] }

// SplitPath splits a dotted path ("entities.email") into its parts. Parts are
// map keys or, on lists, decimal indexes.
func SplitPath(p string) []string { return strings.Split(strings.TrimSpace(p), ".") }

// Lookup returns the value at path, and whether it exists. Expired variables
// do not exist; now is Unix seconds.
func (c *Memory) Lookup(path []string, now int64) (any, bool) {
	if len(path) == 0 {
		return nil, false
	}
	var cur any
	switch path[0] {
	case "intent":
		if c.Intent == "" {
			return nil, false
		}
		return c.Intent, len(path) == 1
	case "lang":
		return c.Lang, len(path) == 1 && c.Lang != ""
	case "input":
		return c.Input, len(path) == 1
	case "today":
		return clockDate(now), len(path) == 1
	case "now":
		return clockTime(now), len(path) == 1
	case "entities":
		if len(path) == 1 {
			return c.Entities, c.Entities != nil
		}
		v, ok := c.Entities[path[1]]
		if !ok {
			return nil, false
		}
		return descend(v, path[2:])
	case "env":
		if len(path) != 2 {
			return nil, false
		}
		v, ok := c.Env[path[1]]
		return v, ok
	case "identity":
		if len(path) != 2 {
			return nil, false
		}
		id := c.Identity
		switch path[1] {
		case "verified":
			return id.Verified, true
		case "subject":
			return id.Subject, id.Subject != ""
		case "name":
			return id.Name, id.Name != ""
		case "email":
			return id.Email, id.Email != ""
		case "phone":
			return id.Phone, id.Phone != ""
		}
		return nil, false
	case "conversation", "user", "bot":
		vars := c.vars(Scope(path[0]))
		if len(path) == 1 {
			return nil, false
		}
		v, ok := vars[path[1]]
		if !ok && path[0] == "conversation" && path[1] == "id" && len(path) == 2 && c.ConversationID != "" {
			return c.ConversationID, true
		}
		if !ok || (v.Exp != 0 && v.Exp <= now) {
			return nil, false
		}
		return descend(v.V, path[2:])
	default:
		v, ok := c.Nodes[path[0]]
		if !ok {
			return nil, false
		}
		cur = v
		return descend(cur, path[1:])
	}
}

func descend(v any, rest []string) (any, bool) {
	for _, k := range rest {
		switch x := v.(type) {
		case map[string]any:
			nv, ok := x[k]
			if !ok {
				return nil, false
			}
			v = nv
		case []any:
			i, ok := atoi(k)
			if !ok || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

func atoi(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	return n, true
}

func (c *Memory) vars(s Scope) map[string]Var {
	switch s {
	case ScopeUser:
		return c.User
	case ScopeBot:
		return c.Bot
	default:
		return c.Conversation
	}
}

// SetVar sets a variable in a scope; exp is Unix seconds (0 = no expiry).
func (c *Memory) SetVar(s Scope, name string, v any, exp int64) {
	m := c.vars(s)
	if m == nil {
		m = map[string]Var{}
		switch s {
		case ScopeUser:
			c.User = m
		case ScopeBot:
			c.Bot = m
		default:
			c.Conversation = m
		}
	}
	m[name] = Var{V: v, Exp: exp}
}

// SetEntity stores an entity value.
func (c *Memory) SetEntity(name string, v any) {
	if c.Entities == nil {
		c.Entities = map[string]any{}
	}
	c.Entities[name] = v
}

// clearedKey is where Memory.Nodes keeps the names of the entities cleared
// in the running task; no node id can be written like it.
const clearedKey = "~cleared"

// ClearEntity removes an entity's value, so that the entity node that
// fills it asks again: it is not taken from the utterance that started
// the task again either.
func (c *Memory) ClearEntity(name string) {
	delete(c.Entities, name)
	cleared, _ := c.Nodes[clearedKey].(map[string]any)
	if cleared == nil {
		cleared = map[string]any{}
		c.SetNode(clearedKey, cleared)
	}
	cleared[name] = true
}

// WasCleared reports whether the entity was cleared in the running task.
func (c *Memory) WasCleared(name string) bool {
	cleared, _ := c.Nodes[clearedKey].(map[string]any)
	return cleared[name] == true
}

// ClearVar removes a variable of a scope.
func (c *Memory) ClearVar(s Scope, name string) {
	delete(c.vars(s), name)
}

// SetNode stores a node's result under its id.
func (c *Memory) SetNode(id string, v any) {
	if c.Nodes == nil {
		c.Nodes = map[string]any{}
	}
	c.Nodes[id] = v
}

// Map returns the context as one map for expression environments (script
// and conditions): roots as keys, expired variables left out.
func (c *Memory) Map(now int64) map[string]any {
	m := map[string]any{
		"intent": c.Intent, "lang": c.Lang, "input": c.Input,
		"today": clockTexts(now).dateV, "now": clockTexts(now).timeV,
		"entities":     orEmpty(c.Entities),
		"conversation": c.conversationVars(now),
		"user":         liveVars(c.User, now),
		"bot":          liveVars(c.Bot, now),
		"env":          envMap(c.Env),
		"identity": map[string]any{
			"verified": c.Identity.Verified, "subject": c.Identity.Subject,
			"name": c.Identity.Name, "email": c.Identity.Email, "phone": c.Identity.Phone,
		},
	}
	for k, v := range c.Nodes {
		if !reservedRoots[k] && k != clearedKey {
			m[k] = v
		}
	}
	return m
}

func envMap(e map[string]string) map[string]any {
	m := make(map[string]any, len(e))
	for k, v := range e {
		m[k] = v
	}
	return m
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// conversationVars are the live conversation variables, with the
// conversation's id as id unless a variable has that name.
func (c *Memory) conversationVars(now int64) map[string]any {
	m := liveVars(c.Conversation, now)
	if _, ok := m["id"]; !ok && c.ConversationID != "" {
		m["id"] = c.ConversationID
	}
	return m
}

func liveVars(vars map[string]Var, now int64) map[string]any {
	m := make(map[string]any, len(vars))
	for k, v := range vars {
		if v.Exp == 0 || v.Exp > now {
			m[k] = v.V
		}
	}
	return m
}
