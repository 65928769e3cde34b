package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/botforge/dialogd/desk/directory"
	"github.com/botforge/dialogd/desk/sfapi"
	"github.com/botforge/dialogd/sessions"
)

// The directory commands work on the customer directory botd keeps in
// Redis (-redis / REDIS_URL), through the bot's Salesforce auth profile
// on the same store (BOT_SECRET_KEY), as the auth commands do.

func directorySyncCommand() *command {
	return &command{
		name: "directory sync",
		summary: []string{
			"import the bot's customers from Salesforce into its directory now (the first run, or what",
			"changed since the last) and print what changed; one instance syncs at a time",
		},
		setup: func(fs *flag.FlagSet, c cli) func([]string) int {
			af := defineDirectoryFlags(fs)
			asJSON := fs.Bool("json", false, "print the sync state as JSON")
			return func([]string) int { return directorySync(af, *asJSON, c) }
		},
	}
}

func directoryStatusCommand() *command {
	return &command{
		name:    "directory status",
		summary: []string{"show the bot's customer directory: records, the last sync and its error, the next"},
		setup: func(fs *flag.FlagSet, c cli) func([]string) int {
			af := defineDirectoryFlags(fs)
			asJSON := fs.Bool("json", false, "print the status as JSON")
			return func([]string) int { return directoryStatus(af, *asJSON, c) }
		},
	}
}

// defineDirectoryFlags defines the auth commands' -bot and -redis (a
// directory needs no public URL).
func defineDirectoryFlags(fs *flag.FlagSet) authFlags {
	none := ""
	return authFlags{
		botDir:    fs.String("bot", "", "the bot `dir`ectory (default $BOT_DIR)"),
		redisURL:  fs.String("redis", "", "the Redis `url` botd uses (default $REDIS_URL)"),
		publicURL: &none,
	}
}

// openDirectory opens the bot's directory on botd's Redis; on failure it
// prints why and returns the exit code.
func openDirectory(name string, af authFlags, c cli) (*directory.Directory, func(), int) {
	s, code := openAuth(name, af, c)
	if s == nil {
		return nil, nil, code
	}
	cfg, err := directory.Decode(&s.bot.Config.Directory, filepath.Join(s.bot.Dir, "bot.yaml"))
	if err != nil {
		s.close()
		c.errf(name, "%v", err)
		return nil, nil, 1
	}
	if cfg == nil {
		s.close()
		c.errf(name, "bot %s has no directory: section in bot.yaml", s.bot.Config.Name)
		return nil, nil, 1
	}
	ropts, err := sessions.ParseRedisURL(orEnv(*af.redisURL, "REDIS_URL", c))
	if err != nil {
		s.close()
		c.errf(name, "%v", err)
		return nil, nil, 2
	}
	rc := redis.NewUniversalClient(ropts)
	closeAll := func() { rc.Close(); s.close() }
	sf := &sfapi.Client{Auth: s.manager, Profile: cfg.Salesforce}
	d, err := directory.New(s.bot.Config.Name, cfg, sf, directory.Options{Store: directory.NewRedisStore(rc, s.bot.Config.Name)})
	if err != nil {
		closeAll()
		c.errf(name, "%v", err)
		return nil, nil, 1
	}
	return d, closeAll, 0
}

func directorySync(af authFlags, asJSON bool, c cli) int {
	d, closeAll, code := openDirectory("directory sync", af, c)
	if d == nil {
		return code
	}
	defer closeAll()
	ctx := context.Background()
	st, err := d.Sync(ctx)
	if errors.Is(err, directory.ErrBusy) {
		c.errf("directory sync", "another instance is syncing this directory now; try again later")
		return 1
	}
	if err != nil {
		c.errf("directory sync", "%v", err)
		return 1
	}
	status, err := d.Status(ctx)
	if err != nil {
		c.errf("directory sync", "%v", err)
		return 1
	}
	if asJSON {
		return printJSON(c.stdout, status)
	}
	more := ""
	if st.Capped {
		more = fmt.Sprintf(" (stopped at max_per_run %d; the next sync goes on)", d.Config().MaxPerRun)
	}
	fmt.Fprintf(c.stdout, "synced %s: %d imported, %d removed (lost their name), %d left out (no name)%s\n",
		status.Object, st.Imported, st.Removed, st.Skipped, more)
	fmt.Fprintf(c.stdout, "%d records; next sync %s\n", status.Records, status.NextRun.UTC().Format(time.RFC3339))
	return 0
}

func directoryStatus(af authFlags, asJSON bool, c cli) int {
	d, closeAll, code := openDirectory("directory status", af, c)
	if d == nil {
		return code
	}
	defer closeAll()
	st, err := d.Status(context.Background())
	if err != nil {
		c.errf("directory status", "%v", err)
		return 1
	}
	if asJSON {
		return printJSON(c.stdout, st)
	}
	writeDirectoryStatus(c.stdout, st, d.Config())
	return 0
}

func writeDirectoryStatus(w io.Writer, st directory.Status, cfg directory.Config) {
	at := func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return t.UTC().Format(time.RFC3339)
	}
	lastErr := "none"
	if st.LastError != "" {
		lastErr = st.LastError
	}
	fmt.Fprintf(w, "%-14s %s\n", "bot", st.Bot)
	fmt.Fprintf(w, "%-14s %s (every %s, at most %d a run)\n", "object", st.Object, shortDuration(cfg.Every), cfg.MaxPerRun)
	fmt.Fprintf(w, "%-14s %d\n", "records", st.Records)
	fmt.Fprintf(w, "%-14s %s (%d successful)\n", "last run", at(st.LastRun), st.Runs)
	fmt.Fprintf(w, "%-14s %s\n", "last ok", at(st.LastOK))
	fmt.Fprintf(w, "%-14s %s\n", "last error", lastErr)
	fmt.Fprintf(w, "%-14s %d imported, %d removed, %d left out%s\n", "last sync", st.Imported, st.Removed, st.Skipped,
		map[bool]string{true: ", stopped at max_per_run", false: ""}[st.Capped])
	fmt.Fprintf(w, "%-14s %s\n", "changed up to", at(st.Mark))
	fmt.Fprintf(w, "%-14s %s\n", "next run", at(st.NextRun))
}

// shortDuration drops a duration's zero minutes and seconds: 24h, 1h30m.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func printJSON(w io.Writer, v any) int {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return 1
	}
	return 0
}
