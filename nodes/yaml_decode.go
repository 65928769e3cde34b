package nodes

import (
	"encoding"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
)

// DecodeYAML decodes n into v (a non-nil pointer) strictly, the way the host
// decodes bot files, task files, node configurations and templates: unknown
// keys, duplicate keys and type mismatches are all reported with their
// position, and decoding goes on so that one pass finds every problem.
// file names the file in messages and path is n's place in it ("" for the
// document root). It returns nil when there is no problem.
//
// Types with their own UnmarshalYAML or UnmarshalText are decoded by those;
// their errors are reported at n's position, or at "line N" when the error
// starts with it, and a leading repeat of the field's name is dropped, so
// every problem names its position once.
func DecodeYAML(file string, n *yaml.Node, path string, v any) ConfigErrors {
	d := decoder{file: file}
	d.decodeInto(n, path, v)
	return d.errs
}

// UnmarshalStrict parses data as one YAML document and decodes it into v
// with [DecodeYAML]. Problems are returned as [ConfigErrors].
func UnmarshalStrict(file string, data []byte, v any) error {
	root, err := ParseYAML(file, data)
	if err != nil {
		return err
	}
	if errs := DecodeYAML(file, root, "", v); len(errs) > 0 {
		return errs
	}
	return nil
}

// ParseYAML parses data as one YAML document and returns its root node,
// nil for an empty document. A syntax error is returned as [ConfigErrors]
// with the line yaml reports, and so is a file over [DefaultYAMLLimits]
// (see [ParseYAMLLimited]).
func ParseYAML(file string, data []byte) (*yaml.Node, error) {
	return ParseYAMLLimited(file, data, DefaultYAMLLimits)
}

// parseYAMLDocument parses data as one YAML document, with no limits of
// its own but the parser's.
func parseYAMLDocument(file string, data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := splitYAMLError(err.Error())
		e := ConfigError{File: file, Line: line, Msg: msg}
		if line > 0 {
			e.Col = 1
		}
		return nil, ConfigErrors{e}
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

// decoder collects the problems of one decoding pass.
type decoder struct {
	file string
	// hostKeys are keys of the top-level mapping that someone else reads:
	// they are skipped here and suggested for misspelt keys.
	hostKeys []string
	errs     ConfigErrors
}

func (d *decoder) errorf(n *yaml.Node, path, format string, args ...any) {
	e := ConfigError{File: d.file, Path: path, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Col = n.Line, n.Column
	}
	d.errs = append(d.errs, e)
}

// decodeInto decodes n into the value v points to.
func (d *decoder) decodeInto(n *yaml.Node, path string, v any) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		d.errorf(n, path, "internal: cannot decode into %T, want a non-nil pointer", v)
		return
	}
	d.decode(n, rv.Elem(), path)
}

var (
	durationType    = reflect.TypeOf(time.Duration(0))
	yamlNodeType    = reflect.TypeOf(yaml.Node{})
	unmarshalerType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()
	textUnmarshaler = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
)

// decode fills v (addressable) from n. path names n for messages.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	if n = resolve(n); n == nil || d.decodeSpecial(n, v, path) {
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Map:
		d.decodeMap(n, v, path)
	case reflect.Slice:
		d.decodeSlice(n, v, path)
	default:
		d.decodeScalar(n, v, path)
	}
}

// resolve skips the document node and follows aliases.
func resolve(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil
		}
		n = n.Content[0]
	}
	if n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// decodeSpecial decodes the types that are not plain data: yaml.Node,
// unmarshalers, pointers and durations. It reports whether it did.
func (d *decoder) decodeSpecial(n *yaml.Node, v reflect.Value, path string) bool {
	switch {
	case v.Type() == yamlNodeType:
		v.Set(reflect.ValueOf(*n))
	case v.CanAddr() && v.Addr().Type().Implements(unmarshalerType):
		if v.Kind() == reflect.Pointer && v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		if err := v.Addr().Interface().(yaml.Unmarshaler).UnmarshalYAML(n); err != nil {
			d.fieldError(n, path, err)
		}
	case v.Kind() == reflect.Pointer:
		if isNull(n) {
			return true
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, v.Elem(), path)
	case v.Type() == durationType:
		d.decodeDuration(n, v, path)
	case v.CanAddr() && v.Addr().Type().Implements(textUnmarshaler) && n.Kind == yaml.ScalarNode:
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(n.Value)); err != nil {
			d.fieldError(n, path, err)
		}
	default:
		return false
	}
	return true
}

func (d *decoder) decodeDuration(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, path, "want a duration such as 5s or 2m")
		return
	}
	dur, err := time.ParseDuration(n.Value)
	if err != nil {
		d.errorf(n, path, "invalid duration %q: want a number with a unit, such as 5s or 2m", n.Value)
		return
	}
	v.SetInt(int64(dur))
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "want a mapping, got %s", describe(n))
		return
	}
	fields := cachedStructFields(v.Type())
	hostKeys := d.hostKeys
	d.hostKeys = nil // they belong to the top level only
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		name := k.Value
		if seen[name] {
			d.errorf(k, path, "duplicate key %q", name)
			continue
		}
		seen[name] = true
		if idx, ok := fields[name]; ok {
			d.decode(val, v.FieldByIndex(idx), joinPath(path, name))
		} else if !slices.Contains(hostKeys, name) {
			d.errorf(k, path, "unknown key %q%s", name, DidYouMean(name, append(fieldNames(fields), hostKeys...)))
		}
	}
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		if !isNull(n) {
			d.errorf(n, path, "want a mapping, got %s", describe(n))
		}
		return
	}
	if v.Type().Key().Kind() != reflect.String {
		d.errorf(n, path, "internal: map key must be a string")
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMapWithSize(v.Type(), len(n.Content)/2))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			d.errorf(k, path, "duplicate key %q", k.Value)
			continue
		}
		seen[k.Value] = true
		elem := reflect.New(v.Type().Elem()).Elem()
		d.decode(val, elem, joinPath(path, k.Value))
		v.SetMapIndex(reflect.ValueOf(k.Value).Convert(v.Type().Key()), elem)
	}
}

func (d *decoder) decodeSlice(n *yaml.Node, v reflect.Value, path string) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, path, "want a list, got %s", describe(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, c := range n.Content {
		d.decode(c, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
	}
	v.Set(s)
}

// decodeScalar decodes strings, booleans, numbers and untyped values.
func (d *decoder) decodeScalar(n *yaml.Node, v reflect.Value, path string) {
	switch v.Kind() {
	case reflect.String:
		if n.Kind != yaml.ScalarNode || isNull(n) {
			d.errorf(n, path, "want a string, got %s", describe(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		b, ok := scalarBool(n)
		if !ok {
			d.errorf(n, path, "want true or false, got %s", describe(n))
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, err := strconv.ParseInt(n.Value, 0, 64)
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || err != nil || v.OverflowInt(i) {
			d.errorf(n, path, "want a whole number, got %s", describe(n))
			return
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		u, err := strconv.ParseUint(n.Value, 0, 64)
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || err != nil || v.OverflowUint(u) {
			d.errorf(n, path, "want a whole number ≥ 0, got %s", describe(n))
			return
		}
		v.SetUint(u)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(n.Value, 64)
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") || err != nil || math.IsInf(f, 0) {
			d.errorf(n, path, "want a number, got %s", describe(n))
			return
		}
		v.SetFloat(f)
	case reflect.Interface:
		var x any
		if err := n.Decode(&x); err != nil {
			d.fieldError(n, path, err)
			return
		}
		if x != nil {
			v.Set(reflect.ValueOf(x))
		}
	default:
		d.errorf(n, path, "internal: cannot decode into %s", v.Type())
	}
}

// fieldsByType caches structFields per type: every file decodes the same
// few configuration types, and reflecting on them is most of a small
// file's decoding time.
var fieldsByType sync.Map // reflect.Type → map[string][]int, read only

func cachedStructFields(t reflect.Type) map[string][]int {
	if f, ok := fieldsByType.Load(t); ok {
		return f.(map[string][]int)
	}
	f, _ := fieldsByType.LoadOrStore(t, structFields(t))
	return f.(map[string][]int)
}

// structFields maps yaml names to field indexes; inline structs are flattened.
func structFields(t reflect.Type) map[string][]int {
	out := map[string][]int{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(opts, "inline") && f.Type.Kind() == reflect.Struct {
			for k, idx := range structFields(f.Type) {
				out[k] = append([]int{i}, idx...)
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = []int{i}
	}
	return out
}

func fieldNames(fields map[string][]int) []string {
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	return names
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func scalarBool(n *yaml.Node) (bool, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		return false, false
	}
	b, err := strconv.ParseBool(n.Value)
	return b, err == nil
}

// describe names what a YAML node holds, for "want X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "nothing"
		case "!!str":
			return fmt.Sprintf("the text %q", n.Value)
		default:
			return n.Value
		}
	}
	return "something else"
}

func joinPath(base, key string) string {
	if base == "" {
		return key
	}
	return base + "." + key
}

// MappingValue returns the key and value nodes of key in the mapping n,
// or nils.
func MappingValue(n *yaml.Node, key string) (k, v *yaml.Node) {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i], n.Content[i+1]
		}
	}
	return nil, nil
}
