package nodes

import (
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// NodeSource is a node's configuration as written in a file, for
// [Registry.DecodeNode] and [ConfigureNode].
type NodeSource struct {
	File string // the file, as shown in messages
	Path string // the node's place in the file, e.g. "nodes.ask_email"
	// Config is the node's mapping (nil when it has no keys of its own).
	Config *yaml.Node
	// HostKeys are keys of the same mapping that the host reads itself
	// (id, type, next, transitions): they are not decoded into the node,
	// and a misspelt key is compared with them too ("nxt" → "next").
	HostKeys []string
}

// DecodeNode builds a node of type typ the way the host does for every
// task file: [Info.New], a strict decode of its configuration
// ([DecodeYAML]), then Provision and Validate when the node implements
// [Provisioner] and [Validator]. Problems are returned as [ConfigErrors]
// positioned in src.File. A node whose configuration does not decode is
// returned with the error, partly configured and not provisioned, for
// callers that go on checking a whole file; it must not run.
func (r *Registry) DecodeNode(typ string, src NodeSource, host Host) (Node, error) {
	info, ok := r.Lookup(typ)
	if !ok {
		return nil, src.errors(src.Config, joinPath(src.Path, "type"), fmt.Sprintf("unknown node type %q (known: %s)", typ, strings.Join(r.Types(), ", ")))
	}
	n := info.New()
	if rv := reflect.ValueOf(n); rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return nil, src.errors(src.Config, joinPath(src.Path, "type"), fmt.Sprintf("internal: node type %q must be a pointer to a struct", typ))
	}
	if err := ConfigureNode(n, src, host); err != nil {
		return n, err
	}
	return n, nil
}

// ConfigureNode decodes src into the node n (a pointer to its config
// struct) strictly and then provisions and validates it, as
// [Registry.DecodeNode] does after New. host.NodeID is what the node is
// provisioned with.
func ConfigureNode(n Node, src NodeSource, host Host) error {
	d := decoder{file: src.File, hostKeys: src.HostKeys}
	d.decodeInto(src.Config, src.Path, n)
	if len(d.errs) > 0 {
		return d.errs
	}
	if p, ok := n.(Provisioner); ok {
		if err := p.Provision(&host); err != nil {
			return src.placed(err)
		}
	}
	if v, ok := n.(Validator); ok {
		if err := v.Validate(); err != nil {
			return src.placed(err)
		}
	}
	return nil
}

// placed positions an error of Provision or Validate: at the node, or at
// the line the message names.
func (src NodeSource) placed(err error) ConfigErrors {
	at, path, msg := placeMessage(src.Config, src.Path, err.Error())
	errs := src.errors(at, path, msg)
	errs[0].Err = err
	return errs
}

func (src NodeSource) errors(at *yaml.Node, path, msg string) ConfigErrors {
	e := ConfigError{File: src.File, Path: path, Msg: msg}
	if at != nil {
		e.Line, e.Col = at.Line, at.Column
	}
	return ConfigErrors{e}
}
