package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/botforge/dialogd/dialog"
)

// reloader reloads the bots served from directories: when their files
// change (-reload, reloadwatch.go) and on SIGHUP. A reload loads the whole
// bot as botd loads it at start; a valid bot serves the turns that start
// after it, an invalid one is refused, its problems logged and shown by
// /readyz, and the last good version serves on.
type reloader struct {
	log     *slog.Logger
	cfg     reloadConfig
	bots    []*reloadBot // the bots that have a directory
	results *prometheus.CounterVec
	refused *prometheus.GaugeVec
	hup     chan os.Signal    // SIGHUP, caught from newReloader on
	watcher *fsnotify.Watcher // nil unless -reload watches
}

// reloadBot is one bot's reload state.
type reloadBot struct {
	name, dir string
	tn        *tenant
	mu        sync.Mutex                    // one reload of the bot at a time
	problem   atomic.Pointer[reloadProblem] // nil while the bot serves its files
}

// reloadProblem is why the last reload of a bot was refused.
type reloadProblem struct {
	at   time.Time
	errs []string // each file:line:col: path: message
}

// maxReadyErrors is how many of a refused reload's problems /readyz lists
// per bot; the log has them all.
const maxReadyErrors = 20

func newReloader(s *server) *reloader {
	rl := &reloader{
		log: s.log, cfg: s.cfg.Reload,
		results: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "dialogd_bot_reloads_total", Help: "Reloads of a bot's directory, by result: applied (the new version serves) or refused (invalid; the last good version serves on)."}, []string{"bot", "result"}),
		refused: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "dialogd_bot_reload_refused", Help: "1 while a bot serves its last good version because its files' last reload was refused."}, []string{"bot"}),
	}
	s.reg.MustRegister(rl.results, rl.refused)
	// Caught from now on: SIGHUP's default action would end botd.
	rl.hup = make(chan os.Signal, 1)
	signal.Notify(rl.hup, syscall.SIGHUP)
	for _, dir := range s.cfg.BotDirs {
		for name, tn := range s.tenants {
			if tn.bot.Dir == dir {
				rl.bots = append(rl.bots, &reloadBot{name: name, dir: dir, tn: tn})
				rl.refused.WithLabelValues(name).Set(0)
				registerVersionMetrics(s.reg, name, tn.rt.Versions())
			}
		}
	}
	if rl.cfg.Watch && len(rl.bots) > 0 {
		rl.watcher = rl.startWatching()
	}
	return rl
}

// registerVersionMetrics counts the conversations of a bot whose task
// version was no longer kept (-reload-keep-versions, or another instance
// or a restart loaded it).
func registerVersionMetrics(reg prometheus.Registerer, bot string, v *dialog.TaskVersions) {
	const name, help = "dialogd_task_version_misses_total", "Conversations whose task version was not kept: went_on (with the current version; the node they waited at is still there) or ended (their task stopped with the task_changed phrase)."
	wentOn := func() float64 { n, _ := v.Misses(); return float64(n) }
	ended := func() float64 { _, n := v.Misses(); return float64(n) }
	reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help, ConstLabels: prometheus.Labels{"bot": bot, "outcome": "went_on"}}, wentOn),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help, ConstLabels: prometheus.Labels{"bot": bot, "outcome": "ended"}}, ended),
	)
}

// run reloads every bot on SIGHUP, and watches the directories when
// -reload is on, until ctx ends.
func (rl *reloader) run(ctx context.Context) {
	defer signal.Stop(rl.hup)
	if rl.watcher != nil {
		go rl.watch(ctx, rl.watcher)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-rl.hup:
			if len(rl.bots) == 0 {
				rl.log.Warn("SIGHUP: no bot directory to reload (the embedded demo bot is served)")
			}
			for _, b := range rl.bots {
				rl.reload(b, "SIGHUP")
			}
		}
	}
}

// reload loads b's directory again and swaps the new version in, or
// refuses it; why says what started it (a file, SIGHUP), for the log.
func (rl *reloader) reload(b *reloadBot, why string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	log := rl.log.With("bot", b.name, "dir", b.dir, "trigger", why)
	old := b.tn.rt.Bot()
	bot, err := dialog.LoadDir(b.dir) // the loader and limits botd starts with
	if err == nil {
		err = needsRestart(old, bot)
	}
	if err != nil {
		p := &reloadProblem{at: time.Now(), errs: problemLines(err)}
		b.problem.Store(p)
		rl.results.WithLabelValues(b.name, "refused").Inc()
		rl.refused.WithLabelValues(b.name).Set(1)
		log.Warn("reload refused: the last good version serves on", "problems", len(p.errs))
		for _, e := range p.errs {
			log.Warn("reload problem", "err", e)
		}
		return
	}
	prev := b.tn.rt.Runtime()
	b.tn.rt.Swap(bot)
	greeters.Delete(prev) // the old version's greeter (greet.go)
	b.problem.Store(nil)
	rl.results.WithLabelValues(b.name, "applied").Inc()
	rl.refused.WithLabelValues(b.name).Set(0)
	log.Info("bot reloaded", "changed_tasks", changedTasks(old, bot))
}

// needsRestart refuses a reload that changes what botd wires only at
// start: the bot's name (its sessions' keys and metrics), its auth
// profiles (the token vault and OAuth callbacks) and its identity secret
// (the channel).
func needsRestart(old, bot *dialog.Bot) error {
	file := path.Join(bot.Dir, "bot.yaml")
	var errs []error
	if old.Config.Name != bot.Config.Name {
		errs = append(errs, fmt.Errorf("%s: name: changed from %q to %q; restart botd to rename a bot", file, old.Config.Name, bot.Config.Name))
	}
	if !reflect.DeepEqual(old.Config.AuthProfiles, bot.Config.AuthProfiles) {
		errs = append(errs, fmt.Errorf("%s: auth_profiles: changed; restart botd to apply auth profile changes", file))
	}
	if old.Config.Settings.IdentitySecret != bot.Config.Settings.IdentitySecret {
		errs = append(errs, fmt.Errorf("%s: settings.identity_secret: changed; restart botd to apply it", file))
	}
	return errors.Join(errs...)
}

// problemLines splits a load error into its problems, one a line.
func problemLines(err error) []string {
	if les, ok := dialog.AsLoadErrors(err); ok {
		out := make([]string, len(les))
		for i, e := range les {
			out[i] = e.Error()
		}
		return out
	}
	return strings.Split(err.Error(), "\n")
}

// changedTasks lists the tasks whose version differs between old and
// bot: "name" changed, "+name" added, "-name" removed.
func changedTasks(old, bot *dialog.Bot) []string {
	var out []string
	for name, t := range bot.Tasks {
		switch o := old.Tasks[name]; {
		case o == nil:
			out = append(out, "+"+name)
		case o.Version != t.Version:
			out = append(out, name)
		}
	}
	for name := range old.Tasks {
		if bot.Tasks[name] == nil {
			out = append(out, "-"+name)
		}
	}
	sort.Strings(out)
	return out
}

// degraded returns the names of the bots whose last reload was refused,
// and the lines that say why, for /readyz: every problem (up to
// maxReadyErrors) with withProblems, else how many there are.
func (rl *reloader) degraded(withProblems bool) (names []string, detail string) {
	var b strings.Builder
	for _, bot := range rl.bots {
		p := bot.problem.Load()
		if p == nil {
			continue
		}
		names = append(names, bot.name)
		if !withProblems {
			fmt.Fprintf(&b, "bot %s: reload refused at %s with %d problems, the last good version serves on; they are in the log and in /readyz on -admin-addr\n", bot.name, p.at.UTC().Format(time.RFC3339), len(p.errs))
			continue
		}
		fmt.Fprintf(&b, "bot %s: reload refused at %s, the last good version serves on:\n", bot.name, p.at.UTC().Format(time.RFC3339))
		for i, e := range p.errs {
			if i == maxReadyErrors {
				fmt.Fprintf(&b, "  … and %d more (see the log)\n", len(p.errs)-i)
				break
			}
			fmt.Fprintf(&b, "  %s\n", e)
		}
	}
	return names, b.String()
}
