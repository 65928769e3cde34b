package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/botforge/dialogd/auth"
	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/templates"
)

// integration is one service a bot can talk to, as botctl integrations
// lists it.
type integration struct {
	name, about string
	// templates are the catalogue's templates for it.
	templates []string
	// owns reports whether an auth profile is this integration's.
	owns func(p *auth.Profile) bool
	// builtIn integrations need no enabling.
	builtIn bool
}

// integrations are Salesforce and generic HTTP: the catalogue's templates
// whose name starts with a node type (salesforce_…) go to that
// integration, the others to HTTP.
func integrations() []integration {
	sf := integration{name: "salesforce", about: "Salesforce CRM: leads, contacts, accounts, cases, campaigns, opportunities (salesforce nodes)",
		owns: func(p *auth.Profile) bool { return p.Salesforce != nil }}
	http := integration{name: "http", about: "any HTTP JSON API (service nodes); nothing to enable", builtIn: true,
		owns: func(p *auth.Profile) bool { return p.Salesforce == nil && p.Kind != auth.KindNone }}
	for _, info := range templates.List() {
		tpl, err := templates.Get(info.Name)
		if err != nil {
			continue
		}
		if tpl.Integration() == "salesforce" {
			sf.templates = append(sf.templates, info.Name)
		} else {
			http.templates = append(http.templates, info.Name)
		}
	}
	return []integration{sf, http}
}

func integrationsCommand() *command {
	return &command{
		name: "integrations", args: "[DIR]", maxArgs: 1,
		summary: []string{
			"list the integrations (Salesforce, generic HTTP); with DIR, their state in that bot: enabled,",
			"its auth profiles (kind, mode, login), and how many of the catalogue's templates it has installed",
		},
		setup: func(fs *flag.FlagSet, c cli) func([]string) int {
			return func(args []string) int {
				if len(args) == 0 {
					listIntegrations(c.stdout)
					return 0
				}
				return integrationsOfBot(args[0], c)
			}
		},
	}
}

func listIntegrations(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "INTEGRATION\tTEMPLATES\tWHAT")
	for _, in := range integrations() {
		fmt.Fprintf(tw, "%s\t%d\t%s\n", in.name, len(in.templates), in.about)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nbotctl integrations DIR shows a bot's state; botctl integrations enable salesforce DIR -mode per_user -client-id KEY\nsets Salesforce up (-login sfsim instead of -client-id: the local emulator's demo app).")
}

// botProfiles reads the auth profiles of DIR/bot.yaml. A bot that loads
// gives them as botd reads them (strictly, ${VAR} expanded); a bot that
// does not (a broken task) still shows them, decoded strictly from
// bot.yaml alone with the loader's decoder and limits, as written.
func botProfiles(dir string) (map[string]*auth.Profile, error) {
	if bot, err := dialog.LoadDir(dir); err == nil {
		return bot.Config.AuthProfiles, nil
	}
	file := filepath.Join(dir, "bot.yaml")
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("%s is not a bot (no bot.yaml; botctl init %s starts one): %w", dir, dir, err)
	}
	root, err := nodes.ParseYAML(file, data)
	if err != nil {
		return nil, fmt.Errorf("%w\n(botctl lint %s says more)", err, dir)
	}
	var profiles map[string]*auth.Profile
	if _, ap := nodes.MappingValue(root, "auth_profiles"); ap != nil {
		if errs := nodes.DecodeYAML(file, ap, "auth_profiles", &profiles); len(errs) > 0 {
			return nil, fmt.Errorf("%w\n(botctl lint %s says more)", errs, dir)
		}
	}
	return profiles, nil
}

// installedFrom matches the first line of a task file a template wrote.
var installedFrom = regexp.MustCompile(`^# Installed from template ([A-Za-z0-9_]+)\.`)

// installedTemplates returns the templates whose tasks DIR/tasks holds,
// by the line install writes at the top of each.
func installedTemplates(dir string) map[string]bool {
	out := map[string]bool{}
	paths, _ := filepath.Glob(filepath.Join(dir, "tasks", "*.y*ml"))
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		line, _ := bufio.NewReader(f).ReadString('\n')
		f.Close()
		if m := installedFrom.FindStringSubmatch(line); m != nil {
			out[m[1]] = true
		}
	}
	return out
}

func integrationsOfBot(dir string, c cli) int {
	profiles, err := botProfiles(dir)
	if err != nil {
		c.errf("integrations", "%v", err)
		return 1
	}
	installed := installedTemplates(dir)
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "INTEGRATION\tSTATE\tAUTH PROFILES\tTEMPLATES INSTALLED")
	var next []string
	for _, in := range integrations() {
		var names []string
		for name, p := range profiles {
			if p != nil && in.owns(p) {
				names = append(names, name)
			}
		}
		sort.Strings(names)
		state := "enabled"
		switch {
		case in.builtIn:
			state = "built in"
		case len(names) == 0:
			state = "not enabled"
			next = append(next, fmt.Sprintf("enable %s: botctl integrations enable %s %s -mode per_user -client-id KEY (or -mode pre_authorized; -login sfsim: the local emulator)", in.name, in.name, dir))
		}
		var described []string
		for _, name := range names {
			described = append(described, describeProfile(name, profiles[name], c.getenv))
		}
		if len(described) == 0 {
			described = []string{"none"}
		}
		n := 0
		for _, t := range in.templates {
			if installed[t] {
				n++
			}
		}
		if !in.builtIn && len(names) > 0 && n < len(in.templates) {
			what := "the rest of the " + in.name + " catalogue"
			if n == 0 {
				what = "the " + in.name + " catalogue"
			}
			next = append(next, fmt.Sprintf("install %s: botctl install -all -integration %s %s", what, in.name, dir))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d of %d\n", in.name, state, strings.Join(described, "; "), n, len(in.templates))
	}
	tw.Flush()
	for _, s := range next {
		fmt.Fprintln(c.stdout, "next: "+s)
	}
	return 0
}

// describeProfile says what a profile is in a few words, and whether an
// environment variable its secrets need is unset here: "salesforce
// (oauth2, per_user, login production, SF_CLIENT_SECRET not set)".
func describeProfile(name string, p *auth.Profile, getenv func(string) string) string {
	parts := []string{p.Kind}
	if p.Mode != "" {
		parts = append(parts, p.Mode)
	}
	if p.Salesforce != nil && p.Salesforce.Login != "" {
		parts = append(parts, "login "+p.Salesforce.Login)
	}
	for _, ref := range []auth.SecretRef{p.ClientSecret, p.Secret, p.Password, p.SecurityToken, p.PrivateKey} {
		if ref.Env != "" && getenv(ref.Env) == "" {
			parts = append(parts, ref.Env+" not set")
		}
	}
	return name + " (" + strings.Join(slices.DeleteFunc(parts, func(s string) bool { return s == "" }), ", ") + ")"
}
