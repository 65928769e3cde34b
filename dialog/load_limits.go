package dialog

import (
	"errors"
	"io"
	"io/fs"

	"github.com/botforge/dialogd/nodes"
)

// LoadLimits bound what loading one bot may cost, since a bot may come
// from a tenant or a template: each file is held to YAML (size, aliases,
// depth; see [nodes.YAMLLimits]) and the bot as a whole to MaxTaskFiles
// files and MaxBotBytes bytes, so loading reads and parses a bounded
// amount whatever the directory holds.
type LoadLimits struct {
	YAML         nodes.YAMLLimits
	MaxTaskFiles int // tasks/*.yaml and *.yml files
	MaxBotBytes  int // bot.yaml and every task file together
	// MaxUtterances bounds the training utterances of all tasks: the
	// intent index is built from them at every load.
	MaxUtterances int
}

// DefaultLoadLimits are the limits [LoadFS] and [LoadDir] apply: those of
// [nodes.DefaultYAMLLimits] per file, 500 task files, 16 MiB in all and
// 20,000 utterances (a bot of a hundred tasks of fifty utterances has
// 5,000).
var DefaultLoadLimits = LoadLimits{YAML: nodes.DefaultYAMLLimits, MaxTaskFiles: 500, MaxBotBytes: 16 << 20, MaxUtterances: 20_000}

// LoadFSLimited is [LoadFS] with the given limits. A file over a limit
// is one more problem in [LoadErrors], positioned where it goes over.
func LoadFSLimited(fsys fs.FS, name string, reg *nodes.Registry, lim LoadLimits) (*Bot, error) {
	l := &loader{fsys: fsys, dir: name, reg: reg, limits: lim}
	return l.load()
}

// LoadDirLimited is [LoadDir] with the given limits. The directory is
// opened as an [os.Root], so that nothing the loader opens is outside it.
func LoadDirLimited(dir string, lim LoadLimits) (*Bot, error) {
	fsys, err := openRootFS(dir)
	if err != nil {
		return nil, LoadErrors{{File: dir, Msg: unwrapPathError(errors.Unwrap(err)).Error()}}
	}
	defer fsys.Close()
	return LoadFSLimited(fsys, dir, nodes.Default(), lim)
}

// readFile reads the file p of the bot directory, stopping one byte past
// what the limits leave for it, so that a huge file costs no more than
// the limit to refuse. Only a regular file inside the directory is read
// (see openRegular). It returns nil after recording why there is no
// content.
func (l *loader) readFile(p string) []byte {
	if l.overBotBytes {
		return nil
	}
	f, err := l.openRegular(p)
	if err != nil {
		l.fail(l.file(p), nil, "", "%v", unwrapPathError(err))
		return nil
	}
	defer f.Close()
	limit := min(l.limits.YAML.MaxFileBytes, max(l.limits.MaxBotBytes-l.bytesRead, 0))
	data, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err != nil {
		l.fail(l.file(p), nil, "", "%v", unwrapPathError(err))
		return nil
	}
	if len(data) <= limit {
		l.bytesRead += len(data)
		return data
	}
	if limit < l.limits.YAML.MaxFileBytes {
		if !l.overBotBytes { // said once; the files after it are not read
			l.fail(l.file(p), nil, "", "the bot's files are larger than %d bytes together, the limit for a bot", l.limits.MaxBotBytes)
		}
		l.overBotBytes = true
		return nil
	}
	l.errs = append(l.errs, nodes.FileTooLarge(l.file(p), data, limit)...)
	return nil
}

// checkTaskCount reports a bot with more task files than the limit; it
// returns the names to load.
func (l *loader) checkTaskCount(names []string) []string {
	if len(names) <= l.limits.MaxTaskFiles {
		return names
	}
	l.fail(l.file("tasks"), nil, "", "%d task files, more than %d, the limit for a bot", len(names), l.limits.MaxTaskFiles)
	return nil
}

// checkUtterances reports a bot whose tasks have more training
// utterances than the limit, at the intent node of the task that goes
// over it.
func (l *loader) checkUtterances(b *Bot) {
	total := 0
	for _, name := range b.order {
		t := b.Tasks[name]
		root := t.Nodes[t.Root]
		tr, ok := root.node.(nodes.Trainer)
		if !ok {
			continue
		}
		for _, utts := range tr.Utterances() {
			total += len(utts)
		}
		if total > l.limits.MaxUtterances {
			l.fail(t.File, nodePos(root), "nodes."+root.ID+".utterances",
				"the bot's tasks have more than %d utterances together, the limit for a bot", l.limits.MaxUtterances)
			return
		}
	}
}
