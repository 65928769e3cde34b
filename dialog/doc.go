// Package dialog loads bots and runs their dialog tasks: it is the host of
// the node types in package nodes and the runtime behind every channel.
//
// A bot is a directory: bot.yaml (name, languages, settings, auth profiles,
// event handlers) and tasks/*.yaml, one dialog task per file. A task is a
// graph of nodes; the first is the task's intent node. Transitions come from
// each node's `next`, its ordered `transitions` (if / else-if / else over
// expressions), and the node type's own fields of type nodes.Target (a
// confirmation's on_yes, a service's on_error…). From these the loader
// derives a looplab/fsm machine per task, so a transition is written once,
// in the file, and the machine refuses any other.
//
// Loading is strict: unknown keys, unknown node types, missing targets,
// unreachable nodes and type errors are all reported together as
// file:line:col: path: message ([LoadErrors]).
//
// A [Runtime] runs conversations over a sessions.Store: per input it takes
// the session's lease, runs commands (cancel, help, restart), starts tasks
// from training utterances or button payloads, or hands the input to the
// node the dialog waits at, then follows transitions until a node waits or
// the task ends. The replies are numbered and stored with the state in one
// commit, so a reconnecting client can be sent exactly what it missed and a
// repeated client message id is answered from the outbox instead of being
// run twice.
//
// A conversation can go to a person: an agent_transfer node, or the user
// asking for one in any state, hands it to the live-agent desk the runtime
// was given ([Handoffs], implemented by package desk and wired by botd).
// While the desk holds it, the user's inputs are relayed and the bot is
// silent; the desk's side arrives through [Runtime.AgentEvent], a turn of
// its own under the session's lease, as queued and agent_* frames.
package dialog
