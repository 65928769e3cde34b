package dialog

import (
	"fmt"
	"sort"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/botforge/dialogd/nodes"
)

// SectionCheck checks a section of bot.yaml that another package decodes
// (the desk: and directory: sections): file names bot.yaml, section is
// the section's node and c the rest of the bot's configuration. Problems
// are returned as nodes.ConfigErrors.
type SectionCheck func(file string, section *yaml.Node, c *BotConfig) error

var sectionChecks struct {
	mu sync.RWMutex
	m  map[string]SectionCheck
}

// CheckSection registers the check of bot.yaml's section name, so that
// loading a bot reports the section's problems with every other one
// (botd and botctl register the desk's and the directory's). A second
// registration of a name replaces the first.
func CheckSection(name string, fn SectionCheck) {
	sectionChecks.mu.Lock()
	defer sectionChecks.mu.Unlock()
	if sectionChecks.m == nil {
		sectionChecks.m = map[string]SectionCheck{}
	}
	sectionChecks.m[name] = fn
}

// checkSections runs the registered checks on the sections bot.yaml has.
func (l *loader) checkSections(file string, root *yaml.Node, c *BotConfig) {
	sectionChecks.mu.RLock()
	names := make([]string, 0, len(sectionChecks.m))
	for name := range sectionChecks.m {
		names = append(names, name)
	}
	sectionChecks.mu.RUnlock()
	sort.Strings(names)
	for _, name := range names {
		_, v := nodes.MappingValue(root, name)
		if v == nil {
			continue
		}
		sectionChecks.mu.RLock()
		check := sectionChecks.m[name]
		sectionChecks.mu.RUnlock()
		err := check(file, v, c)
		if err == nil {
			continue
		}
		if es, ok := nodes.AsConfigErrors(err); ok {
			l.errs = append(l.errs, es...)
		} else {
			l.fail(file, v, name, "%s", fmt.Sprint(err))
		}
	}
}
