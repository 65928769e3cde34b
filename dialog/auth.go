package dialog

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/botforge/dialogd/nodes"
)

// AuthProfile is a named set of credentials in bot.yaml that service nodes
// refer to. Secrets are references, never literals.
type AuthProfile struct {
	// Kind is none, basic, api_key or bearer. (OAuth kinds plug in through
	// the nodes.Authorizer seam.)
	Kind string `yaml:"kind"`
	// Username for basic.
	Username string `yaml:"username"`
	// Secret is the password (basic), key (api_key) or token (bearer).
	Secret SecretRef `yaml:"secret"`
	// Header carries the api_key (default X-API-Key), unless Query is set.
	Header string `yaml:"header"`
	// Query puts the api_key into this query parameter instead.
	Query string `yaml:"query"`
}

// SecretRef points at a secret: an environment variable or a file.
type SecretRef struct {
	Env  string `yaml:"env"`
	File string `yaml:"file"`
}

// UnmarshalYAML refuses literal secrets.
func (s *SecretRef) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		return errors.New("literal secrets are not allowed in bot files; use {env: VAR_NAME} or {file: /path/to/secret}")
	}
	type plain SecretRef
	var p plain
	if n.Kind != yaml.MappingNode {
		return errors.New("want {env: VAR_NAME} or {file: PATH}")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		switch k := n.Content[i].Value; k {
		case "env":
			p.Env = n.Content[i+1].Value
		case "file":
			p.File = n.Content[i+1].Value
		default:
			return fmt.Errorf("unknown key %q in secret reference (want env or file)", k)
		}
	}
	if (p.Env == "") == (p.File == "") {
		return errors.New("a secret reference needs exactly one of env or file")
	}
	*s = SecretRef(p)
	return nil
}

// IsZero reports whether no secret is referenced.
func (s SecretRef) IsZero() bool { return s.Env == "" && s.File == "" }

// Resolve reads the secret.
func (s SecretRef) Resolve() (string, error) {
	switch {
	case s.Env != "":
		v, ok := os.LookupEnv(s.Env)
		if !ok || v == "" {
			return "", fmt.Errorf("environment variable %s is not set", s.Env)
		}
		return v, nil
	case s.File != "":
		b, err := os.ReadFile(s.File)
		if err != nil {
			return "", fmt.Errorf("read secret file: %w", err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	return "", errors.New("no secret configured")
}

func (p *AuthProfile) validate() error {
	switch p.Kind {
	case "none":
	case "basic":
		if p.Username == "" || p.Secret.IsZero() {
			return errors.New("basic auth needs username and secret")
		}
	case "api_key":
		if p.Secret.IsZero() {
			return errors.New("api_key auth needs secret")
		}
		if p.Header != "" && p.Query != "" {
			return errors.New("api_key goes in a header or a query parameter, not both")
		}
	case "bearer":
		if p.Secret.IsZero() {
			return errors.New("bearer auth needs secret")
		}
	case "":
		return errors.New("kind is required (none, basic, api_key, bearer)")
	default:
		return fmt.Errorf("unknown kind %q (known: none, basic, api_key, bearer)", p.Kind)
	}
	return nil
}

// staticAuth applies the bot's non-interactive auth profiles.
type staticAuth struct {
	profiles map[string]*AuthProfile
}

// Apply implements nodes.Authorizer. Secrets are read when used, so a
// rotated file or variable takes effect without a restart.
func (a *staticAuth) Apply(_ context.Context, _ *nodes.Turn, name string, req *http.Request) error {
	p := a.profiles[name]
	if p == nil {
		return fmt.Errorf("unknown auth profile %q", name)
	}
	if p.Kind == "none" {
		return nil
	}
	secret, err := p.Secret.Resolve()
	if err != nil {
		return fmt.Errorf("auth profile %s: %w", name, err)
	}
	switch p.Kind {
	case "basic":
		req.SetBasicAuth(p.Username, secret)
	case "bearer":
		req.Header.Set("Authorization", "Bearer "+secret)
	case "api_key":
		if p.Query != "" {
			q := req.URL.Query()
			q.Set(p.Query, secret)
			req.URL.RawQuery = q.Encode()
		} else {
			h := p.Header
			if h == "" {
				h = "X-API-Key"
			}
			req.Header.Set(h, secret)
		}
	}
	return nil
}

// provider is the service a profile is for, for commands such as
// "disconnect salesforce"; empty when unknown.
func (p *AuthProfile) provider() string { return "" }

// label names a profile to the user.
func (p *AuthProfile) label(name string) string { return name }
