package dialog

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/botforge/dialogd/auth"
	"github.com/botforge/dialogd/nodes"
)

// LoadDir loads the bot in directory dir: bot.yaml and tasks/*.yaml,
// each a regular file inside dir (no FIFO, device or symbolic link out of
// it), with [DefaultLoadLimits].
func LoadDir(dir string) (*Bot, error) {
	return LoadDirLimited(dir, DefaultLoadLimits)
}

// LoadFS loads a bot from fsys (whose root is the bot directory); name is
// the directory as shown in error messages. Node types come from reg.
// Every problem in every file is reported at once as [LoadErrors], each as
// file:line:col: path: message. Files are held to [DefaultLoadLimits].
func LoadFS(fsys fs.FS, name string, reg *nodes.Registry) (*Bot, error) {
	return LoadFSLimited(fsys, name, reg, DefaultLoadLimits)
}

type loader struct {
	fsys      fs.FS
	dir       string
	reg       *nodes.Registry
	limits    LoadLimits
	bytesRead int // of the bot's files so far, for limits.MaxBotBytes
	// overBotBytes is set once the files go over limits.MaxBotBytes.
	overBotBytes bool
	errs         LoadErrors
}

func (l *loader) file(p string) string { return path.Join(l.dir, p) }

func (l *loader) fail(file string, n *yaml.Node, p, format string, args ...any) {
	e := LoadError{File: file, Path: p, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Col = n.Line, n.Column
	}
	l.errs = append(l.errs, e)
}

// decode decodes n into v with the strict decoder every file shares.
func (l *loader) decode(file string, n *yaml.Node, p string, v any) {
	l.errs = append(l.errs, nodes.DecodeYAML(file, n, p, v)...)
}

var scopedVarRef = regexp.MustCompile(`\b(user|bot)\.[A-Za-z_]|scope:\s*(user|bot)\b`)

// parseFile reads and parses the file p of the bot directory; it returns
// the document's root node, or nil after recording why there is none.
func (l *loader) parseFile(p string) (*yaml.Node, []byte) {
	data := l.readFile(p)
	if data == nil {
		return nil, nil
	}
	root, err := nodes.ParseYAMLLimited(l.file(p), data, l.limits.YAML)
	if es, ok := nodes.AsConfigErrors(err); ok {
		l.errs = append(l.errs, es...)
		return nil, nil
	}
	if root == nil {
		l.fail(l.file(p), nil, "", "file is empty")
		return nil, nil
	}
	return root, data
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func (l *loader) load() (*Bot, error) {
	b := &Bot{Dir: l.dir, Tasks: map[string]*Task{}}
	l.loadBotFile(b)
	if b.Config.Settings.MaxNodeVisits == 0 {
		b.Config.Settings.MaxNodeVisits = 50
	}
	l.loadTasks(b)
	l.checkUtterances(b)
	if start := b.Config.Events.ConversationStart.Task; start != "" && b.Tasks[start] == nil && len(l.errs) == 0 {
		l.fail(l.file("bot.yaml"), nil, "events.conversation_start.task", "no task named %q", start)
	}
	if end := b.Config.Events.ConversationEnd.Task; end != "" && b.Tasks[end] == nil && len(l.errs) == 0 {
		l.fail(l.file("bot.yaml"), nil, "events.conversation_end.task", "no task named %q", end)
	}
	if len(l.errs) > 0 {
		l.errs.Sort()
		return nil, l.errs
	}
	b.intent = buildIntentIndex(b)
	if err := b.trainClassifier(); err != nil {
		return nil, fmt.Errorf("dialog: train the intent classifier of %s: %w", l.dir, err)
	}
	return b, nil
}

// loadBotFile decodes and checks bot.yaml into b.Config.
func (l *loader) loadBotFile(b *Bot) {
	botFile := l.file("bot.yaml")
	root, raw := l.parseFile("bot.yaml")
	if root == nil {
		return
	}
	l.decode(botFile, root, "", &b.Config)
	if b.Config.Name == "" {
		l.fail(botFile, root, "name", "a bot needs a name")
	}
	if len(b.Config.Languages) == 0 {
		b.Config.Languages = []string{"en"}
	}
	for i, lang := range b.Config.Languages {
		if !validLang(lang) {
			_, v := nodes.MappingValue(root, "languages")
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
	l.checkSections(botFile, root, &b.Config)
	if b.Config.Settings.MaxNodeVisits < 0 {
		l.fail(botFile, root, "settings.max_node_visits", "must be positive")
	}
	for key, v := range map[string]float64{"threshold": b.Config.Settings.NLU.Threshold, "tie_margin": b.Config.Settings.NLU.TieMargin} {
		if v < 0 || v > 1 {
			l.fail(botFile, root, "settings.nlu."+key, "must be between 0 and 1, got %v", v)
		}
	}
	if b.Config.Settings.SessionIdleTTL < 0 {
		l.fail(botFile, root, "settings.session_idle_ttl", "must be positive; leave it out for the server's default")
	}
	b.usesScopedVars = scopedVarRef.Match(raw)
}

// loadTasks loads every tasks/*.yaml (and *.yml) file into b.
func (l *loader) loadTasks(b *Bot) {
	if err := l.checkDir("tasks"); err != nil {
		l.fail(l.file("tasks"), nil, "", "%v", unwrapPathError(err))
		return
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
	names = l.checkTaskCount(names)
	host := nodes.Host{Bot: b.Config.Name, Languages: b.Config.Languages, AuthProfiles: map[string]bool{}, APIVersions: map[string]string{}}
	for name, p := range b.Config.AuthProfiles {
		host.AuthProfiles[name] = true
		if p != nil && p.Salesforce != nil && p.Salesforce.APIVersion != "" {
			host.APIVersions[name] = p.Salesforce.APIVersion
		}
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
		t.Version = taskVersion(raw)
		b.Tasks[t.Name] = t
		b.order = append(b.order, t.Name)
		if scopedVarRef.Match(raw) {
			b.usesScopedVars = true
		}
	}
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

func (l *loader) checkAuthProfiles(file string, root *yaml.Node, c *BotConfig) {
	_, profs := nodes.MappingValue(root, "auth_profiles")
	for name, p := range c.AuthProfiles {
		_, pn := nodes.MappingValue(profs, name)
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

func (l *loader) hasErrorUnder(file, prefix string) bool {
	for _, e := range l.errs {
		if e.File == file && strings.HasPrefix(e.Path, prefix) {
			return true
		}
	}
	return false
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
