package templates

import (
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/botforge/dialogd/nodes"
)

// ErrProfileExists is wrapped by DeclareProfile when bot.yaml already
// declares the profile and replacing it was not asked for.
var ErrProfileExists = errors.New("auth profile already declared")

// DeclareProfile returns bot.yaml (data) with the auth profile name
// declared under auth_profiles with the given lines (unindented YAML,
// comments first), the way InstallAll declares an integration's standard
// profile: every other line of the file stays as it was. A profile of
// that name already there is an error wrapping ErrProfileExists, unless
// replace, which removes its lines (and the comment lines right above
// it) first.
func DeclareProfile(data []byte, name string, lines []string, replace bool) ([]byte, error) {
	root, err := parseBotYAML(data)
	if err != nil {
		return nil, err
	}
	_, ap := nodes.MappingValue(root, "auth_profiles")
	if key, _ := nodes.MappingValue(ap, name); key != nil {
		if !replace {
			return nil, fmt.Errorf("bot.yaml:%d:%d: auth_profiles.%s: %w", key.Line, key.Column, name, ErrProfileExists)
		}
		if data, err = removeEntry(data, ap, key); err != nil {
			return nil, err
		}
		if root, err = parseBotYAML(data); err != nil {
			return nil, err
		}
	}
	return declareProfiles(data, root, []profileStub{{name: name, lines: lines}})
}

// parseBotYAML parses bot.yaml as the bot loader does (nodes.ParseYAML:
// its size, alias and depth limits, problems as bot.yaml:line:col), to
// edit its lines; the edited file is then loaded as a bot before it is
// written. An empty file is an empty mapping.
func parseBotYAML(data []byte) (*yaml.Node, error) {
	root, err := nodes.ParseYAML("bot.yaml", data)
	if err != nil {
		return nil, err // nodes.ConfigErrors, each bot.yaml:line:col: message
	}
	if root == nil {
		return &yaml.Node{Kind: yaml.MappingNode}, nil
	}
	return root, nil
}

// removeEntry removes the lines of the entry of block mapping m whose key
// is key: from the comment lines right above it to the line before the
// next entry (or the next line indented no deeper than the key).
func removeEntry(data []byte, m, key *yaml.Node) ([]byte, error) {
	if m.Style&yaml.FlowStyle != 0 {
		return nil, fmt.Errorf("bot.yaml:%d:%d: auth_profiles is a flow mapping: replace the profile by hand", m.Line, m.Column)
	}
	lines := strings.SplitAfter(string(data), "\n")
	start, end := key.Line-1, len(lines)
	for i := key.Line; i < len(lines); i++ {
		l := lines[i]
		trimmed := strings.TrimSpace(l)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if indentOf(l) <= key.Column-1 {
			end = i
			break
		}
	}
	// Comment lines directly above the next entry belong to it.
	for end > key.Line && isCommentOrBlank(lines[end-1]) {
		end--
	}
	for start > 0 && strings.HasPrefix(strings.TrimSpace(lines[start-1]), "#") {
		start--
	}
	return []byte(strings.Join(lines[:start], "") + strings.Join(lines[end:], "")), nil
}

func indentOf(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }

func isCommentOrBlank(l string) bool {
	t := strings.TrimSpace(l)
	return t == "" || strings.HasPrefix(t, "#")
}
