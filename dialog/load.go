package dialog

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/looplab/fsm"
	"go.yaml.in/yaml/v3"

	"github.com/botforge/dialogd/auth"
	"github.com/botforge/dialogd/nodes"
)

// LoadDir loads the bot in directory dir: bot.yaml and tasks/*.yaml.
func LoadDir(dir string) (*Bot, error) {
	return LoadFS(os.DirFS(dir), dir, nodes.Default())
}

// LoadFS loads a bot from fsys (whose root is the bot directory); name is
// the directory as shown in error messages. Every problem in every file is
// reported at once as [LoadErrors], each as file:line:col: path: message.
func LoadFS(fsys fs.FS, name string, reg *nodes.Registry) (*Bot, error) {
	l := &loader{fsys: fsys, dir: name, reg: reg}
	return l.load()
}

type loader struct {
	fsys fs.FS
	dir  string
	reg  *nodes.Registry
	errs LoadErrors
}

func (l *loader) file(p string) string { return path.Join(l.dir, p) }

func (l *loader) fail(file string, n *yaml.Node, p, format string, args ...any) {
	e := LoadError{File: file, Path: p, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Col = n.Line, n.Column
	}
	l.errs = append(l.errs, e)
}

var scopedVarRef = regexp.MustCompile(`\b(user|bot)\.[A-Za-z_]|scope:\s*(user|bot)\b`)

func (l *loader) parseFile(p string) (*yaml.Node, []byte) {
	data, err := fs.ReadFile(l.fsys, p)
	if err != nil {
		l.fail(l.file(p), nil, "", "%v", unwrapPathError(err))
		return nil, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		e := LoadError{File: l.file(p), Msg: cleanYAMLError(err)}
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			e.Line, e.Col = yamlErrorLine(err.Error()), 1
		}
		l.errs = append(l.errs, e)
		return nil, nil
	}
	if len(doc.Content) == 0 {
		l.fail(l.file(p), nil, "", "file is empty")
		return nil, nil
	}
	return &doc, data
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

func yamlErrorLine(s string) int {
	m := yamlLineRE.FindStringSubmatch(s)
	if m == nil {
		return 0
	}
	n := 0
	fmt.Sscan(m[1], &n)
	return n
}

func (l *loader) load() (*Bot, error) {
	b := &Bot{Dir: l.dir, Tasks: map[string]*Task{}}
	botFile := l.file("bot.yaml")
	doc, raw := l.parseFile("bot.yaml")
	if doc != nil {
		d := decoder{file: botFile, errs: &l.errs}
		d.decode(doc, reflect.ValueOf(&b.Config).Elem(), "")
		root := doc.Content[0]
		if b.Config.Name == "" {
			l.fail(botFile, root, "name", "a bot needs a name")
		}
		if len(b.Config.Languages) == 0 {
			b.Config.Languages = []string{"en"}
		}
		for i, lang := range b.Config.Languages {
			if !validLang(lang) {
				_, v := mappingValue(root, "languages")
				l.fail(botFile, v, fmt.Sprintf("languages[%d]", i), "%q is not a language code such as en, ja or de", lang)
			}
		}
		for k, v := range b.Config.Env {
			b.Config.Env[k] = expandEnv(v)
		}
		for _, p := range b.Config.AuthProfiles {
			expandProfile(p)
		}
		l.checkAuthProfiles(botFile, root, &b.Config)
		if b.Config.Settings.MaxNodeVisits < 0 {
			l.fail(botFile, root, "settings.max_node_visits", "must be positive")
		}
		b.usesScopedVars = scopedVarRef.Match(raw)
	}
	if b.Config.Settings.MaxNodeVisits == 0 {
		b.Config.Settings.MaxNodeVisits = 50
	}

	names, err := fs.Glob(l.fsys, "tasks/*.yaml")
	if err != nil {
		l.fail(l.file("tasks"), nil, "", "%v", err)
	}
	more, _ := fs.Glob(l.fsys, "tasks/*.yml")
	names = append(names, more...)
	sort.Strings(names)
	if len(names) == 0 {
		l.fail(l.file("tasks"), nil, "", "no task files (tasks/*.yaml)")
	}
	host := nodes.Host{Bot: b.Config.Name, Languages: b.Config.Languages, AuthProfiles: map[string]bool{}}
	for name := range b.Config.AuthProfiles {
		host.AuthProfiles[name] = true
	}
	taskFiles := map[string]string{}
	for _, p := range names {
		t, raw := l.loadTask(p, host)
		if t == nil {
			continue
		}
		if prev, dup := taskFiles[t.Name]; dup {
			l.fail(t.File, nil, "name", "task %q is already defined in %s", t.Name, prev)
			continue
		}
		taskFiles[t.Name] = t.File
		b.Tasks[t.Name] = t
		b.order = append(b.order, t.Name)
		if scopedVarRef.Match(raw) {
			b.usesScopedVars = true
		}
	}
	if b.Config.Events.ConversationStart.Task != "" && b.Tasks[b.Config.Events.ConversationStart.Task] == nil && len(l.errs) == 0 {
		l.fail(botFile, nil, "events.conversation_start.task", "no task named %q", b.Config.Events.ConversationStart.Task)
	}
	if len(l.errs) > 0 {
		return nil, l.errs.sorted()
	}
	b.intent = buildIntentIndex(b)
	return b, nil
}

func validLang(s string) bool {
	if len(s) < 2 || len(s) > 8 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r == '-' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

var idRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

func (l *loader) loadTask(p string, host nodes.Host) (*Task, []byte) {
	file := l.file(p)
	doc, raw := l.parseFile(p)
	if doc == nil {
		return nil, nil
	}
	errsBefore := len(l.errs)
	var tf TaskFile
	d := decoder{file: file, errs: &l.errs}
	d.decode(doc, reflect.ValueOf(&tf).Elem(), "")
	root := doc.Content[0]
	if tf.Name == "" {
		l.fail(file, root, "name", "a task needs a name")
	} else if !idRE.MatchString(tf.Name) {
		_, v := mappingValue(root, "name")
		l.fail(file, v, "name", "task name %q must start with a letter and hold only letters, digits and _", tf.Name)
	}
	t := &Task{Name: tf.Name, Title: tf.Title, File: file, Nodes: map[string]*nodeDef{}}
	host.Task = tf.Name
	_, nodesNode := mappingValue(root, "nodes")
	if len(tf.Nodes) == 0 {
		l.fail(file, nodesNode, "nodes", "a task needs at least an intent node")
		return nil, nil
	}
	var order []*nodeDef
	for i := range tf.Nodes {
		nd := l.loadNode(file, &tf.Nodes[i], i, host)
		if nd == nil {
			continue
		}
		if _, dup := t.Nodes[nd.ID]; dup {
			l.fail(file, &tf.Nodes[i], "nodes["+nd.ID+"].id", "duplicate node id %q", nd.ID)
			continue
		}
		t.Nodes[nd.ID] = nd
		order = append(order, nd)
		if nd.Type == "intent" {
			if i != 0 {
				l.fail(file, &tf.Nodes[i], "nodes."+nd.ID, "only the first node may be an intent node (the task's root)")
			}
		} else if i == 0 {
			l.fail(file, &tf.Nodes[i], "nodes."+nd.ID, "the first node must be the task's intent node, not %q", nd.Type)
		}
	}
	if len(order) == 0 {
		return nil, nil
	}
	t.Root = order[0].ID

	// Targets must exist; every node must be reachable from the root.
	for _, nd := range order {
		for _, tg := range nd.targets {
			if tg != nodes.EndTarget && t.Nodes[string(tg)] == nil {
				l.fail(file, targetNode(&tf.Nodes[nd.index], tg, nd), "nodes."+nd.ID, "transition to unknown node %q%s", tg, suggestNode(string(tg), t.Nodes))
			}
		}
	}
	seen := map[string]bool{t.Root: true}
	queue := []string{t.Root}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		for _, tg := range t.Nodes[id].targets {
			if s := string(tg); t.Nodes[s] != nil && !seen[s] {
				seen[s] = true
				queue = append(queue, s)
			}
		}
	}
	for _, nd := range order {
		if !seen[nd.ID] {
			l.fail(file, nodePos(nd), "nodes."+nd.ID, "node %q is unreachable from the intent node %q", nd.ID, t.Root)
		}
	}
	if len(l.errs) > errsBefore {
		return nil, nil
	}
	t.events = deriveEvents(order)
	return t, raw
}

func nodePos(nd *nodeDef) *yaml.Node { return &yaml.Node{Line: nd.line, Column: nd.col} }

// targetNode finds where a target is written inside a node's mapping.
func targetNode(n *yaml.Node, tg nodes.Target, nd *nodeDef) *yaml.Node {
	var found *yaml.Node
	var walk func(x *yaml.Node)
	walk = func(x *yaml.Node) {
		if found != nil || x == nil {
			return
		}
		if x.Kind == yaml.ScalarNode && x.Value == string(tg) && x.Tag == "!!str" {
			found = x
			return
		}
		for i, c := range x.Content {
			if x.Kind == yaml.MappingNode && i%2 == 0 {
				continue // keys
			}
			walk(c)
		}
	}
	walk(n)
	if found == nil {
		return nodePos(nd)
	}
	return found
}

func suggestNode(name string, m map[string]*nodeDef) string {
	fields := map[string][]int{}
	for k := range m {
		fields[k] = nil
	}
	return suggest(name, fields)
}

// deriveEvents builds the FSM's events from the targets in the file: one
// event per destination, allowed from every node that names it.
func deriveEvents(order []*nodeDef) fsm.Events {
	srcs := map[string][]string{}
	var dsts []string
	for _, nd := range order {
		for _, tg := range nd.targets {
			d := string(tg)
			if _, ok := srcs[d]; !ok {
				dsts = append(dsts, d)
			}
			if !contains(srcs[d], nd.ID) {
				srcs[d] = append(srcs[d], nd.ID)
			}
		}
	}
	ev := make(fsm.Events, 0, len(dsts))
	for _, d := range dsts {
		ev = append(ev, fsm.EventDesc{Name: "to:" + d, Src: srcs[d], Dst: d})
	}
	return ev
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func (l *loader) loadNode(file string, n *yaml.Node, i int, host nodes.Host) *nodeDef {
	p := fmt.Sprintf("nodes[%d]", i)
	if n.Kind != yaml.MappingNode {
		l.fail(file, n, p, "a node must be a mapping with at least id and type")
		return nil
	}
	nd := &nodeDef{line: n.Line, col: n.Column, index: i}
	// The host's keys first.
	common := &yaml.Node{Kind: yaml.MappingNode, Line: n.Line, Column: n.Column}
	own := &yaml.Node{Kind: yaml.MappingNode, Line: n.Line, Column: n.Column, Tag: "!!map"}
	for j := 0; j+1 < len(n.Content); j += 2 {
		dst := own
		if commonKeys[n.Content[j].Value] {
			dst = common
		}
		dst.Content = append(dst.Content, n.Content[j], n.Content[j+1])
	}
	d := decoder{file: file, errs: &l.errs}
	d.decode(common, reflect.ValueOf(&nd.NodeCommon).Elem(), p)
	idKey, idVal := mappingValue(n, "id")
	switch {
	case nd.ID == "":
		l.fail(file, n, p, "a node needs an id")
		return nil
	case !idRE.MatchString(nd.ID):
		l.fail(file, idVal, p+".id", "node id %q must start with a letter and hold only letters, digits and _", nd.ID)
		return nil
	case nd.ID == string(nodes.EndTarget) || nodes.IsReservedRoot(nd.ID):
		l.fail(file, idVal, p+".id", "%q is a reserved name", nd.ID)
		return nil
	}
	_ = idKey
	p = "nodes." + nd.ID
	typKey, typVal := mappingValue(n, "type")
	_ = typKey
	if nd.Type == "" {
		l.fail(file, n, p, "a node needs a type (one of %s)", strings.Join(l.reg.Types(), ", "))
		return nil
	}
	// A node whose own part is broken still takes part in the graph
	// checks below, so one pass reports every problem.
	var rv reflect.Value
	if info, ok := l.reg.Lookup(nd.Type); !ok {
		l.fail(file, typVal, p+".type", "unknown node type %q (known: %s)", nd.Type, strings.Join(l.reg.Types(), ", "))
	} else if nd.node = info.New(); reflect.ValueOf(nd.node).Kind() != reflect.Pointer || reflect.ValueOf(nd.node).Elem().Kind() != reflect.Struct {
		l.fail(file, typVal, p+".type", "internal: node type %q must be a pointer to a struct", nd.Type)
		nd.node = nil
	} else {
		rv = reflect.ValueOf(nd.node)
		before := len(l.errs)
		d.decode(own, rv.Elem(), p)
		if len(l.errs) == before {
			l.provision(file, n, p, nd, host)
		}
		nd.input, _ = nd.node.(nodes.InputNode)
	}

	// Transitions: next, or if/else-if/else; then the node's own targets.
	_, trNode := mappingValue(n, "transitions")
	if nd.Next != "" && len(nd.Transitions) > 0 {
		l.fail(file, trNode, p, "use either next or transitions, not both")
	}
	if nd.Type == "intent" && len(nd.Transitions) > 0 {
		l.fail(file, trNode, p+".transitions", "the intent node has only next, no conditions")
	}
	if nd.Next != "" {
		nd.targets = append(nd.targets, nd.Next)
	}
	for j, tr := range nd.Transitions {
		tp := fmt.Sprintf("%s.transitions[%d]", p, j)
		var pos *yaml.Node
		if trNode != nil && j < len(trNode.Content) {
			pos = trNode.Content[j]
		}
		switch {
		case tr.Else != "" && (tr.If != "" || tr.To != ""):
			l.fail(file, pos, tp, "else takes only a target; write the condition as a separate if")
		case tr.Else != "":
			if j != len(nd.Transitions)-1 {
				l.fail(file, pos, tp, "else must be the last transition")
			}
			nd.targets = append(nd.targets, tr.Else)
			nd.conds = append(nd.conds, nil)
		case tr.If == "" || tr.To == "":
			l.fail(file, pos, tp, "a conditional transition needs if and to")
		default:
			c, err := nodes.CompileCond(tr.If)
			if err != nil {
				_, ifNode := mappingValue(pos, "if")
				l.fail(file, ifNode, tp+".if", "%v", err)
				continue
			}
			nd.conds = append(nd.conds, c)
			nd.targets = append(nd.targets, tr.To)
		}
	}
	if len(nd.Transitions) > 0 && nd.Transitions[len(nd.Transitions)-1].Else == "" {
		l.fail(file, trNode, p+".transitions", "conditional transitions need a final else")
	}
	if rv.IsValid() {
		nd.targets = append(nd.targets, ownTargets(rv.Elem())...)
	}
	return nd
}

// provision runs a decoded node's Provision and Validate steps.
func (l *loader) provision(file string, n *yaml.Node, p string, nd *nodeDef, host nodes.Host) {
	h := host
	h.NodeID = nd.ID
	if pr, ok := nd.node.(nodes.Provisioner); ok {
		if err := pr.Provision(&h); err != nil {
			l.fail(file, n, p, "%v", err)
			return
		}
	}
	if v, ok := nd.node.(nodes.Validator); ok {
		if err := v.Validate(); err != nil {
			l.fail(file, n, p, "%v", err)
		}
	}
}

var targetType = reflect.TypeOf(nodes.Target(""))

// ownTargets finds every non-empty Target in a node's config.
func ownTargets(v reflect.Value) []nodes.Target {
	var out []nodes.Target
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch {
		case v.Type() == targetType:
			if s := v.String(); s != "" {
				out = append(out, nodes.Target(s))
			}
		case v.Kind() == reflect.Pointer:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case v.Kind() == reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				if v.Type().Field(i).IsExported() {
					walk(v.Field(i))
				}
			}
		case v.Kind() == reflect.Slice || v.Kind() == reflect.Array:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
		case v.Kind() == reflect.Map:
			it := v.MapRange()
			for it.Next() {
				walk(it.Value())
			}
		}
	}
	walk(v)
	return out
}

func (l *loader) checkAuthProfiles(file string, root *yaml.Node, c *BotConfig) {
	_, profs := mappingValue(root, "auth_profiles")
	for name, p := range c.AuthProfiles {
		_, pn := mappingValue(profs, name)
		if p == nil {
			l.fail(file, pn, "auth_profiles."+name, "empty profile")
			continue
		}
		if l.hasErrorUnder(file, "auth_profiles."+name+".") {
			continue // its decoding problems are reported already
		}
		if err := p.Validate(); err != nil {
			l.fail(file, pn, "auth_profiles."+name, "%v", err)
		}
	}
}

// expandEnv replaces ${VAR} and ${VAR:-default} from the process environment.
func expandEnv(s string) string {
	return os.Expand(s, func(name string) string {
		key, def, hasDef := strings.Cut(name, ":-")
		if v, ok := os.LookupEnv(key); ok && v != "" {
			return v
		}
		if hasDef {
			return def
		}
		return ""
	})
}

func (l *loader) hasErrorUnder(file, prefix string) bool {
	for _, e := range l.errs {
		if e.File == file && strings.HasPrefix(e.Path, prefix) {
			return true
		}
	}
	return false
}

// expandProfile replaces ${VAR} and ${VAR:-default} in an auth profile's
// plain settings (URLs, client id, user name), so one bot file can point
// at sfsim, a sandbox or production. Secrets are references already and
// are not touched.
func expandProfile(p *auth.Profile) {
	if p == nil {
		return
	}
	for _, f := range []*string{&p.ClientID, &p.AuthorizationURL, &p.TokenURL, &p.RefreshTokenURL,
		&p.RevokeURL, &p.UserinfoURL, &p.BaseURL, &p.Username, &p.Audience, &p.IdentityProvider} {
		*f = expandEnv(*f)
	}
	if p.Salesforce != nil {
		p.Salesforce.Login = expandEnv(p.Salesforce.Login)
	}
}
