// Package sections checks the sections of bot.yaml that packages above
// dialog decode — desk: (with its presence rules) and directory: — when a
// bot loads, so that botd and botctl lint report their problems with every
// other one. Import it for its side effect.
package sections

import (
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/botforge/dialogd/desk"
	"github.com/botforge/dialogd/desk/directory"
	"github.com/botforge/dialogd/desk/presence"
	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
)

func init() {
	dialog.CheckSection("desk", checkDesk)
	dialog.CheckSection("directory", checkDirectory)
}

// checkDesk decodes the desk: section and its presence rules, and checks
// that the auth profile it names exists.
func checkDesk(file string, n *yaml.Node, c *dialog.BotConfig) error {
	cfg, err := desk.Decode(file, n)
	if cfg == nil {
		return err
	}
	errs := appendProblems(nil, err)
	errs = appendProblems(errs, checkProfile(file, n, "desk", cfg.Salesforce, c))
	if cfg.Presence.Kind != 0 {
		_, err := presence.Decode(&cfg.Presence, file, presence.KnownOf(cfg))
		errs = appendProblems(errs, err)
		if cfg.Salesforce == "" {
			_, v := nodes.MappingValue(n, "presence")
			errs = append(errs, nodes.ConfigError{File: file, Line: v.Line, Col: v.Column, Path: "desk.presence",
				Msg: "presence sync needs desk.salesforce, the auth profile of the Salesforce org"})
		}
	}
	if len(errs) == 0 {
		return nil
	}
	errs.Sort()
	return errs
}

func checkDirectory(file string, n *yaml.Node, c *dialog.BotConfig) error {
	cfg, err := directory.Decode(n, file)
	if err != nil || cfg == nil {
		return err
	}
	return checkProfile(file, n, "directory", cfg.Salesforce, c)
}

// checkProfile checks that profile, named at section.salesforce, is one of
// the bot's auth profiles.
func checkProfile(file string, n *yaml.Node, section, profile string, c *dialog.BotConfig) error {
	if profile == "" || c.AuthProfiles[profile] != nil {
		return nil
	}
	_, v := nodes.MappingValue(n, "salesforce")
	return nodes.ConfigErrors{{File: file, Line: v.Line, Col: v.Column, Path: section + ".salesforce",
		Msg: fmt.Sprintf("no auth profile %q in auth_profiles", profile)}}
}

func appendProblems(errs nodes.ConfigErrors, err error) nodes.ConfigErrors {
	if err == nil {
		return errs
	}
	if es, ok := nodes.AsConfigErrors(err); ok {
		return append(errs, es...)
	}
	return append(errs, nodes.ConfigError{Msg: err.Error(), Err: errors.Unwrap(err)})
}
