package templates

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing/fstest"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
)

// ErrNotABot is wrapped by Install when the target directory does not
// exist, is not a directory or has no bot.yaml.
var ErrNotABot = errors.New("not a bot directory")

// Install renders template name and writes it to botDir/tasks/<task
// name>.yaml, refusing to replace an existing file. See [Template.Install].
func Install(botDir, name string, params map[string]string) (string, error) {
	t, err := Get(name)
	if err != nil {
		return "", err
	}
	return t.Install(botDir, params, false)
}

// Install writes the rendered task to botDir/tasks/<task name>.yaml and
// returns the path. botDir must be a bot directory (it holds bot.yaml);
// an existing task file is replaced only with overwrite. The whole bot is
// loaded, with the new task, before anything is written: a failed
// install writes nothing (not even an empty tasks/ directory), and the
// load errors (a task name another file uses, a bot.yaml problem, an auth
// profile the bot lacks) are returned.
func (t *Template) Install(botDir string, params map[string]string, overwrite bool) (string, error) {
	if err := checkBotDir(botDir); err != nil {
		return "", fmt.Errorf("template %s: %w", t.Name, err)
	}
	name, data, err := t.render(params)
	if err != nil {
		return "", err
	}
	rel := "tasks/" + name + ".yaml"
	path := filepath.Join(botDir, filepath.FromSlash(rel))
	_, statErr := os.Lstat(path)
	if statErr == nil && !overwrite {
		return "", fmt.Errorf("template %s: %s: %w (pass overwrite to replace it)", t.Name, path, ErrExists)
	}
	if statErr != nil && !errors.Is(statErr, fs.ErrNotExist) {
		return "", fmt.Errorf("template %s: %w", t.Name, statErr)
	}
	if _, err := LoadWith(botDir, map[string][]byte{rel: data}); err != nil {
		return "", fmt.Errorf("template %s: the bot would not load with the new task (nothing was written): %w", t.Name, err)
	}
	if err := WriteFiles(botDir, map[string][]byte{rel: data}); err != nil {
		return "", fmt.Errorf("template %s: %w", t.Name, err)
	}
	return path, nil
}

// checkBotDir says why dir is not a bot directory, or returns nil.
func checkBotDir(dir string) error {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s does not exist: %w", dir, ErrNotABot)
	case err != nil:
		return err
	case !info.IsDir():
		return fmt.Errorf("%s is not a directory: %w", dir, ErrNotABot)
	}
	_, err = os.Stat(filepath.Join(dir, "bot.yaml"))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s has no bot.yaml: %w", dir, ErrNotABot)
	}
	return err
}

// LoadWith loads the bot in botDir as it would be with files (paths
// relative to botDir, with slashes) added or replaced, without writing
// anything. botDir need not exist. Install checks a task with it before
// writing; botctl init checks a new bot with it.
func LoadWith(botDir string, files map[string][]byte) (*dialog.Bot, error) {
	added := fstest.MapFS{}
	for name, data := range files {
		added[name] = &fstest.MapFile{Data: data, Mode: 0o644}
	}
	return dialog.LoadFS(overlayFS{base: os.DirFS(botDir), added: added}, botDir, nodes.Default())
}

// WriteFiles writes files (paths relative to dir, with slashes) into dir,
// creating the directories they need. Each file is replaced through a
// temporary file, so a reader sees the old or the new file, never half of
// one. On an error the directories it created are removed again when
// they are still empty.
func WriteFiles(dir string, files map[string][]byte) error {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	var created []string
	for _, name := range names {
		path := filepath.Join(dir, filepath.FromSlash(name))
		made, err := mkdirAll(filepath.Dir(path))
		created = append(created, made...)
		if err == nil {
			err = writeFile(path, files[name])
		}
		if err != nil {
			for i := len(created) - 1; i >= 0; i-- {
				_ = os.Remove(created[i]) // fails, as wanted, when not empty
			}
			return err
		}
	}
	return nil
}

// mkdirAll is os.MkdirAll that returns the directories it created,
// outermost first.
func mkdirAll(dir string) ([]string, error) {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || filepath.Dir(d) == d {
			break
		}
		missing = append([]string{d}, missing...)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return missing, nil
}

// writeFile replaces path through a temporary file in the same directory.
func writeFile(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".install-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
	}
	return err
}

// overlayFS is base with the files of added on top: added files replace
// base files of the same name, and directory listings show both.
type overlayFS struct {
	base  fs.FS
	added fstest.MapFS
}

func (o overlayFS) Open(name string) (fs.File, error) {
	if f, ok := o.added[name]; ok && !f.Mode.IsDir() {
		return o.added.Open(name)
	}
	file, err := o.base.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		// A directory that exists only through added files.
		if added, addErr := o.added.Open(name); addErr == nil {
			return added, nil
		}
	}
	return file, err
}

func (o overlayFS) ReadDir(name string) ([]fs.DirEntry, error) {
	base, baseErr := fs.ReadDir(o.base, name)
	added, addErr := fs.ReadDir(o.added, name)
	if baseErr != nil && addErr != nil {
		return nil, baseErr
	}
	byName := map[string]fs.DirEntry{}
	for _, e := range base {
		byName[e.Name()] = e
	}
	for _, e := range added {
		byName[e.Name()] = e
	}
	out := make([]fs.DirEntry, 0, len(byName))
	for _, e := range byName {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}
