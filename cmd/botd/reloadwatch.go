package main

import (
	"context"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// startWatching watches each bot directory and its tasks/ directory (not
// single files: an editor that saves by renaming a new file over the old
// one replaces the file, and a watch on it would end). It runs when botd
// starts, so that a change made as soon as botd serves is seen; nil when
// the system refuses (SIGHUP still reloads).
func (rl *reloader) startWatching() *fsnotify.Watcher {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		rl.log.Error("cannot watch the bot directories; SIGHUP still reloads", "err", err)
		return nil
	}
	for _, b := range rl.bots {
		rl.addWatch(w, b.dir)
		rl.addWatch(w, filepath.Join(b.dir, "tasks"))
	}
	rl.log.Info("watching bot directories for changes", "bots", len(rl.bots), "debounce", rl.cfg.Debounce)
	return w
}

// watch reloads a bot when a file the loader reads changes: bot.yaml or a
// tasks/*.yaml (or .yml) file, created, written, renamed or removed. It
// starts watching tasks/ when it is created. A bot reloads once its files
// have been quiet for -reload-debounce, so an editor's several events make
// one reload.
func (rl *reloader) watch(ctx context.Context, w *fsnotify.Watcher) {
	defer w.Close()
	byDir := map[string]*debounced{}
	for _, b := range rl.bots {
		d := &debounced{b: b}
		defer d.stop()
		byDir[filepath.Clean(b.dir)] = d
	}
	for {
		select {
		case <-ctx.Done():
			return
		case err, ok := <-w.Errors:
			if !ok {
				return
			}
			rl.log.Warn("watching bot directories", "err", err)
		case ev, ok := <-w.Events:
			if !ok {
				return
			}
			d, file := rl.owner(byDir, ev.Name)
			if d == nil || ev.Op == fsnotify.Chmod {
				continue
			}
			if file == "tasks" && ev.Op.Has(fsnotify.Create) {
				rl.addWatch(w, ev.Name) // tasks/ created after the start
			}
			d.touch(rl, file, rl.cfg.Debounce)
		}
	}
}

func (rl *reloader) addWatch(w *fsnotify.Watcher, dir string) {
	if err := w.Add(dir); err != nil {
		rl.log.Debug("not watching", "dir", dir, "err", err) // tasks/ may not exist yet
	}
}

// owner returns the bot a changed path belongs to and the path inside the
// bot's directory, or nil for a file the loader does not read (an
// editor's swap or backup file, say).
func (rl *reloader) owner(byDir map[string]*debounced, name string) (*debounced, string) {
	dir, base := filepath.Split(filepath.Clean(name))
	dir = filepath.Clean(dir)
	if d := byDir[dir]; d != nil && (base == "bot.yaml" || base == "tasks") {
		return d, base
	}
	if filepath.Base(dir) != "tasks" || !(strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".yml")) {
		return nil, ""
	}
	if d := byDir[filepath.Dir(dir)]; d != nil {
		return d, "tasks/" + base
	}
	return nil, ""
}

// debounced delays a bot's reload until its files have been quiet.
type debounced struct {
	b     *reloadBot
	timer *time.Timer // nil until the first change; used by watch only
}

// touch (re)starts the wait before the reload that file's change asks for.
func (d *debounced) touch(rl *reloader, file string, quiet time.Duration) {
	if d.timer != nil && d.timer.Stop() {
		d.timer.Reset(quiet)
		return
	}
	d.timer = time.AfterFunc(quiet, func() { rl.reload(d.b, file) })
}

func (d *debounced) stop() {
	if d.timer != nil {
		d.timer.Stop()
	}
}
