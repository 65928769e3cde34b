package main

import (
	"flag"
	"fmt"
	"strconv"
	"time"

	"github.com/botforge/dialogd/dialog"
)

// reloadConfig is the configuration of the hot reload of bot directories
// (reload.go).
type reloadConfig struct {
	// Watch reloads a bot when its files change; SIGHUP reloads every bot
	// whatever it says.
	Watch bool
	// Debounce is how long the files must stay quiet before a reload:
	// an editor's save is often several events.
	Debounce time.Duration
	// KeepVersions is how many versions of each task a bot keeps for the
	// conversations that started on them.
	KeepVersions int
}

// register adds the reload flags to fl; env gives each flag's environment
// fallback. The returned finish checks them once fl.Parse has run.
func (c *reloadConfig) register(fl *flag.FlagSet, env func(name, def string) string) (finish func() error) {
	watchEnv := env("RELOAD", "true")
	watchDef, watchEnvErr := strconv.ParseBool(watchEnv)
	fl.BoolVar(&c.Watch, "reload", watchDef || watchEnvErr != nil, "watch the bot directories (bot.yaml, tasks/) and reload a bot when its files change: a valid bot serves the next turns, an invalid one is refused and the last good version serves on; -reload=false in production (SIGHUP reloads every bot either way) (env RELOAD)")
	debounce := fl.String("reload-debounce", env("RELOAD_DEBOUNCE", "300ms"), "how long a bot's files must stay unchanged before a reload, 10ms to 10s (env RELOAD_DEBOUNCE)")
	keep := fl.String("reload-keep-versions", env("RELOAD_KEEP_VERSIONS", strconv.Itoa(dialog.DefaultKeepTaskVersions)), "how many versions of each task stay loaded for the conversations that started on them, 1 to 1000; an older one goes on with the current version if its node is still there, else its task ends (env RELOAD_KEEP_VERSIONS)")
	return func() error {
		if watchEnvErr != nil {
			return fmt.Errorf("RELOAD: want true or false, got %q", watchEnv)
		}
		d, err := time.ParseDuration(*debounce)
		if err != nil || d < 10*time.Millisecond || d > 10*time.Second {
			return fmt.Errorf("-reload-debounce: want a duration from 10ms to 10s such as 300ms, got %q", *debounce)
		}
		c.Debounce = d
		n, err := strconv.Atoi(*keep)
		if err != nil || n < 1 || n > 1000 {
			return fmt.Errorf("-reload-keep-versions: want a number from 1 to 1000, got %q", *keep)
		}
		c.KeepVersions = n
		return nil
	}
}
