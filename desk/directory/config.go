package directory

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/botforge/dialogd/nodes"
)

// Objects a directory may import.
const (
	ObjectLead    = "Lead"
	ObjectContact = "Contact"
	ObjectAccount = "Account"
)

// Defaults of the directory: section.
const (
	DefaultEvery         = 24 * time.Hour
	DefaultMaxPerRun     = 2000
	DefaultFirstRunSince = 365 * 24 * time.Hour
	MinEvery             = time.Minute
	MaxMaxPerRun         = 50000
)

// Config is a bot's directory: section.
type Config struct {
	// Salesforce names the auth profile (pre_authorized) to import with.
	Salesforce string `yaml:"salesforce"`
	// Object is the one object imported: Lead, Contact or Account.
	Object string `yaml:"object"`
	// Every is the time between syncs (24h).
	Every time.Duration `yaml:"every"`
	// MaxPerRun bounds the records one run imports (2000).
	MaxPerRun int `yaml:"max_per_run"`
	// FirstRunSince is how far back the first run looks (8760h, a year).
	FirstRunSince time.Duration `yaml:"first_run_since"`
	// Region (an ISO 3166 code such as US, DE, JP) is where stored phone
	// numbers without a country code are read; empty: such numbers match
	// only by their digits as written.
	Region string `yaml:"region"`
}

// Decode decodes a bot's directory: section strictly. A nil or empty
// node is no directory: (nil, nil). Every problem is reported, as
// nodes.ConfigErrors reading file:line:col: directory.key: message.
func Decode(node *yaml.Node, file string) (*Config, error) {
	if node == nil || node.Kind == 0 || (node.Kind == yaml.ScalarNode && node.Tag == "!!null") {
		return nil, nil
	}
	cfg := &Config{}
	errs := nodes.DecodeYAML(file, node, "directory", cfg)
	cfg.applyDefaults()
	for _, e := range cfg.validate(file, node) {
		if !slices.ContainsFunc(errs, func(d nodes.ConfigError) bool { return d.Path == e.Path }) {
			errs = append(errs, e)
		}
	}
	if len(errs) > 0 {
		errs.Sort()
		return nil, errs
	}
	return cfg, nil
}

func (c *Config) applyDefaults() {
	if c.Every == 0 {
		c.Every = DefaultEvery
	}
	if c.MaxPerRun == 0 {
		c.MaxPerRun = DefaultMaxPerRun
	}
	if c.FirstRunSince == 0 {
		c.FirstRunSince = DefaultFirstRunSince
	}
}

// validate checks the values, each problem at its key's value.
func (c *Config) validate(file string, node *yaml.Node) nodes.ConfigErrors {
	var errs nodes.ConfigErrors
	add := func(key, format string, args ...any) {
		e := nodes.ConfigError{File: file, Path: "directory." + key, Msg: fmt.Sprintf(format, args...), Line: node.Line, Col: node.Column}
		if _, v := nodes.MappingValue(node, key); v != nil {
			e.Line, e.Col = v.Line, v.Column
		}
		errs = append(errs, e)
	}
	if c.Salesforce == "" {
		add("salesforce", "required: the auth profile to import with")
	}
	switch c.Object {
	case ObjectLead, ObjectContact, ObjectAccount:
	case "":
		add("object", "required: Lead, Contact or Account")
	default:
		add("object", "unknown object %q (want Lead, Contact or Account)", c.Object)
	}
	if c.Every < MinEvery {
		add("every", "%s is too often (at least %s)", c.Every, MinEvery)
	}
	if c.MaxPerRun < 1 || c.MaxPerRun > MaxMaxPerRun {
		add("max_per_run", "%d is out of range (1 to %d)", c.MaxPerRun, MaxMaxPerRun)
	}
	if c.Region != "" && !nodes.ValidPhoneRegion(c.Region) {
		add("region", "unknown region %q (want an ISO 3166 code such as US, DE, JP)", c.Region)
	}
	c.Region = strings.ToUpper(c.Region)
	if c.FirstRunSince < 0 {
		add("first_run_since", "must not be negative")
	}
	return errs
}
