package nodes

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Body is a structured request body or value: a YAML tree of maps, lists
// and scalars whose string leaves are [Interp]s. Keys keep their YAML
// order.
//
// Rendered with [RenderJSON], a string leaf that is exactly one
// interpolation and nothing else ("{{ entities.qty }}") keeps the value's
// native JSON type (number, bool, object, list; null when missing). Every
// other string leaf becomes a JSON string with the values inside it
// escaped, so a value can never leave the string it is in. Numbers, bools
// and null written in the YAML stay what they are.
type Body struct {
	root bodyNode
	set  bool
}

type bodyKind uint8

const (
	bodyMap bodyKind = iota + 1
	bodyList
	bodyTmpl
	bodyScalar
)

type bodyNode struct {
	kind   bodyKind
	keys   []string
	vals   []bodyNode
	tmpl   *Interp
	native bool // tmpl is exactly one path interpolation
	scalar any  // bodyScalar: float64, bool or nil
}

// ParseBody parses a body from YAML text.
func ParseBody(src string) (*Body, error) {
	var b Body
	if err := yaml.Unmarshal([]byte(src), &b); err != nil {
		return nil, err
	}
	return &b, nil
}

// UnmarshalYAML decodes a body from any YAML value.
func (b *Body) UnmarshalYAML(value *yaml.Node) error {
	var d bodyDecoder
	n, err := d.decode(value, "", 0)
	if err != nil {
		return err
	}
	b.root, b.set = n, true
	return nil
}

// IsZero reports whether no body was given.
func (b *Body) IsZero() bool { return b == nil || !b.set }

// IsFlat reports whether the body is a map whose values are scalars or
// lists of scalars, the shape x-www-form-urlencoded bodies need.
func (b *Body) IsFlat() bool {
	if b.IsZero() || b.root.kind != bodyMap {
		return false
	}
	for _, v := range b.root.vals {
		switch v.kind {
		case bodyMap:
			return false
		case bodyList:
			for _, e := range v.vals {
				if e.kind == bodyMap || e.kind == bodyList {
					return false
				}
			}
		}
	}
	return true
}

const (
	maxBodyDepth = 64
	// maxBodyNodes bounds the nodes one body decodes, aliases followed
	// (a few kilobytes of aliases to aliases stand for billions).
	maxBodyNodes = 20_000
)

// bodyDecoder decodes one body, counting the nodes it visits.
type bodyDecoder struct {
	visited int
}

func (d *bodyDecoder) decode(n *yaml.Node, at string, depth int) (bodyNode, error) {
	if depth > maxBodyDepth {
		return bodyNode{}, fmt.Errorf("%s: nested too deeply", where(at))
	}
	if d.visited++; d.visited > maxBodyNodes {
		return bodyNode{}, fmt.Errorf("%s: line %d: more than %d values, aliases followed", where(at), n.Line, maxBodyNodes)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return bodyNode{kind: bodyScalar}, nil
		}
		return d.decode(n.Content[0], at, depth+1)
	case yaml.AliasNode:
		if n.Alias == nil {
			return bodyNode{}, fmt.Errorf("%s: line %d: alias *%s names no anchor", where(at), n.Line, n.Value)
		}
		return d.decode(n.Alias, at, depth+1)
	case yaml.MappingNode:
		return d.decodeMapping(n, at, depth)
	case yaml.SequenceNode:
		out := bodyNode{kind: bodyList, vals: make([]bodyNode, 0, len(n.Content))}
		for i, e := range n.Content {
			v, err := d.decode(e, join(at, strconv.Itoa(i)), depth+1)
			if err != nil {
				return out, err
			}
			out.vals = append(out.vals, v)
		}
		return out, nil
	case yaml.ScalarNode:
		return decodeBodyScalar(n, at)
	}
	return bodyNode{}, fmt.Errorf("%s: unsupported YAML value", where(at))
}

func (d *bodyDecoder) decodeMapping(n *yaml.Node, at string, depth int) (bodyNode, error) {
	out := bodyNode{kind: bodyMap}
	seen := make(map[string]bool, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode {
			return out, fmt.Errorf("%s: line %d: keys must be strings, got %s", where(at), k.Line, kindName(k))
		}
		if k.Value == "<<" && k.ShortTag() == "!!merge" {
			return out, fmt.Errorf("%s: line %d: merge keys are not supported", where(at), k.Line)
		}
		if seen[k.Value] {
			return out, fmt.Errorf("%s: line %d: duplicate key %q", where(at), k.Line, k.Value)
		}
		seen[k.Value] = true
		v, err := d.decode(n.Content[i+1], join(at, k.Value), depth+1)
		if err != nil {
			return out, err
		}
		out.keys = append(out.keys, k.Value)
		out.vals = append(out.vals, v)
	}
	return out, nil
}

func decodeBodyScalar(n *yaml.Node, at string) (bodyNode, error) {
	switch n.ShortTag() {
	case "!!null":
		return bodyNode{kind: bodyScalar}, nil
	case "!!bool":
		var v bool
		if err := n.Decode(&v); err != nil {
			return bodyNode{}, fmt.Errorf("%s: %w", where(at), err)
		}
		return bodyNode{kind: bodyScalar, scalar: v}, nil
	case "!!int", "!!float":
		var v float64
		if err := n.Decode(&v); err != nil {
			return bodyNode{}, fmt.Errorf("%s: %w", where(at), err)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return bodyNode{}, fmt.Errorf("%s: line %d: %s is not a JSON number", where(at), n.Line, n.Value)
		}
		return bodyNode{kind: bodyScalar, scalar: v}, nil
	}
	t, err := ParseInterp(n.Value)
	if err != nil {
		return bodyNode{}, fmt.Errorf("%s: line %d: %w", where(at), n.Line, err)
	}
	native := len(t.parts) == 1 && t.parts[0].path != nil
	for _, f := range t.parts[0:min(1, len(t.parts))] {
		for _, fl := range f.filters {
			if fl.kind != fDefault {
				native = false
			}
		}
	}
	return bodyNode{kind: bodyTmpl, tmpl: t, native: native}, nil
}

func where(at string) string {
	if at == "" {
		return "body"
	}
	return "body." + at
}

func join(at, k string) string {
	if at == "" {
		return k
	}
	return at + "." + k
}

// RenderJSON renders body as JSON for the turn. See [Body] for the rules.
func RenderJSON(t *Turn, body *Body) ([]byte, error) {
	if body.IsZero() {
		return nil, nil
	}
	var b strings.Builder
	if err := body.root.writeJSON(&b, t); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

func (n *bodyNode) writeJSON(b *strings.Builder, t *Turn) error {
	switch n.kind {
	case bodyMap:
		b.WriteByte('{')
		for i, k := range n.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('"')
			writeJSONString(b, k)
			b.WriteString(`":`)
			if err := n.vals[i].writeJSON(b, t); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case bodyList:
		b.WriteByte('[')
		for i := range n.vals {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := n.vals[i].writeJSON(b, t); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case bodyScalar:
		return writeJSONValue(b, n.scalar)
	case bodyTmpl:
		if n.native {
			v, err := n.tmpl.nativeValue(t)
			if err != nil {
				return err
			}
			return writeJSONValue(b, v)
		}
		b.WriteByte('"')
		if err := n.tmpl.render(b, t, escapeJSONLeaf); err != nil {
			return err
		}
		b.WriteByte('"')
	}
	return nil
}

// writeJSONValue writes a context value as JSON.
func writeJSONValue(b *strings.Builder, v any) error {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		b.WriteByte('"')
		writeJSONString(b, x)
		b.WriteByte('"')
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("cannot encode %v as JSON", x)
		}
		var buf [32]byte
		b.Write(appendNumber(buf[:0], x))
	default:
		data, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encode value: %w", err)
		}
		b.Write(data)
	}
	return nil
}

// Value renders body to a Go value for the turn: maps become
// map[string]any, lists []any, string leaves rendered text (or the native
// value for a lone interpolation), numbers float64.
func (b *Body) Value(t *Turn) (any, error) {
	if b.IsZero() {
		return nil, nil
	}
	return b.root.value(t)
}

func (n *bodyNode) value(t *Turn) (any, error) {
	switch n.kind {
	case bodyMap:
		m := make(map[string]any, len(n.keys))
		for i, k := range n.keys {
			v, err := n.vals[i].value(t)
			if err != nil {
				return nil, err
			}
			m[k] = v
		}
		return m, nil
	case bodyList:
		l := make([]any, len(n.vals))
		for i := range n.vals {
			v, err := n.vals[i].value(t)
			if err != nil {
				return nil, err
			}
			l[i] = v
		}
		return l, nil
	case bodyTmpl:
		if n.native {
			return n.tmpl.nativeValue(t)
		}
		return n.tmpl.Render(t, EscapeText)
	}
	return n.scalar, nil
}

// RenderForm renders a flat body (see [Body.IsFlat]) as form values for an
// application/x-www-form-urlencoded request; url.Values.Encode does the
// escaping. A list gives a key several values; a null or missing value
// gives an empty one.
func RenderForm(t *Turn, body *Body) (url.Values, error) {
	if body.IsZero() {
		return url.Values{}, nil
	}
	if !body.IsFlat() {
		return nil, errors.New("nodes: form body must be a map of scalars or lists of scalars")
	}
	form := make(url.Values, len(body.root.keys))
	for i, k := range body.root.keys {
		v := &body.root.vals[i]
		if v.kind == bodyList {
			for j := range v.vals {
				s, err := v.vals[j].text(t)
				if err != nil {
					return nil, err
				}
				form.Add(k, s)
			}
			continue
		}
		s, err := v.text(t)
		if err != nil {
			return nil, err
		}
		form.Add(k, s)
	}
	return form, nil
}

// text renders a scalar leaf as text.
func (n *bodyNode) text(t *Turn) (string, error) {
	if n.kind == bodyTmpl {
		return n.tmpl.Render(t, EscapeText)
	}
	return formatValue(n.scalar)
}
