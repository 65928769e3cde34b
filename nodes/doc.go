// Package nodes is the registry of dialog node types and the node types
// themselves: intent, entity, message, confirmation, service, script, logic
// and agent_transfer.
//
// A node type is one file. Its config struct is its schema (exported fields
// with yaml tags and doc comments); the file registers the type from init:
//
//	func init() { nodes.Register(nodes.Info{Type: "message", New: func() nodes.Node { return new(Message) }}) }
//
// The host decodes a node's YAML strictly into a fresh value with
// [Registry.DecodeNode] (the one decoder bots, templates and tests share), calls Provision and Validate when the node implements
// [Provisioner] and [Validator], and wraps every error with the node's
// file:line:col position. At run time the host calls [Node.Run] when the
// dialog enters the node and, for an [InputNode] that returned [Wait],
// [InputNode.Input] with the user's next input.
//
// Fields of type [Target] are transitions: the host checks them and derives
// the task's state machine from them. Fields of type [Interp] are
// templated from the conversation [Memory].
//
// This package imports nothing else of this module, which a test checks.
package nodes
