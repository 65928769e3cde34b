package auth

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Kinds of auth profiles.
const (
	KindOAuth2            = "oauth2"                    // authorization code with PKCE
	KindOAuth2Password    = "oauth2_password"           // username-password flow
	KindOAuth2JWTBearer   = "oauth2_jwt_bearer"         // JWT bearer flow
	KindOAuth2ClientCreds = "oauth2_client_credentials" // client-credentials flow
	KindBasic             = "basic"
	KindAPIKey            = "api_key"
	KindBearer            = "bearer"
	KindNone              = "none"
)

// Modes of a profile.
const (
	// ModePreAuthorized: one credential for the whole bot.
	ModePreAuthorized = "pre_authorized"
	// ModePerUser: every end user grants access in the chat (oauth2 only).
	ModePerUser = "per_user"
)

var kinds = []string{KindOAuth2, KindOAuth2Password, KindOAuth2JWTBearer, KindOAuth2ClientCreds, KindBasic, KindAPIKey, KindBearer, KindNone}

// Profile is one entry of bot.yaml's auth_profiles: a named credential
// that service nodes refer to with auth: NAME. Every secret is a
// [SecretRef]; a literal secret in the file is refused.
//
//	auth_profiles:
//	  salesforce:
//	    kind: oauth2
//	    mode: per_user
//	    salesforce: {login: production}
//	    client_id: 3MVG9...
//	    client_secret: {env: SF_CLIENT_SECRET}
//	    scopes: [api, refresh_token]
//	  salesforce_integration:
//	    kind: oauth2_jwt_bearer
//	    salesforce: {login: https://acme.my.salesforce.com}
//	    client_id: 3MVG9...
//	    username: integration@acme.example
//	    private_key: {file: /etc/dialogd/salesforce.key}
type Profile struct {
	// Kind is oauth2, oauth2_password, oauth2_jwt_bearer,
	// oauth2_client_credentials, basic, api_key, bearer or none.
	Kind string `yaml:"kind"`
	// Mode is pre_authorized (default) or per_user (oauth2 only, where it
	// must be given).
	Mode string `yaml:"mode"`
	// IdentityProvider names the provider in the authorize card
	// ("Salesforce" with the salesforce preset).
	IdentityProvider string `yaml:"identity_provider"`
	// ClientID is the OAuth client id (Salesforce: the connected app's
	// consumer key). It is not a secret.
	ClientID string `yaml:"client_id"`
	// ClientSecret is the OAuth client secret (consumer secret).
	ClientSecret SecretRef `yaml:"client_secret"`
	// AuthorizationURL, TokenURL and RefreshTokenURL are the provider's
	// endpoints; RefreshTokenURL defaults to TokenURL. The salesforce preset
	// fills the empty ones.
	AuthorizationURL string `yaml:"authorization_url"`
	TokenURL         string `yaml:"token_url"`
	RefreshTokenURL  string `yaml:"refresh_token_url"`
	// RevokeURL is where Revoke posts the token; without it a
	// disconnect only forgets the token.
	RevokeURL string `yaml:"revoke_url"`
	// UserinfoURL is the OpenID Connect userinfo endpoint.
	UserinfoURL string `yaml:"userinfo_url"`
	// Scopes are requested by oauth2, oauth2_jwt_bearer and
	// oauth2_client_credentials; a list or one space-separated string.
	Scopes Scopes `yaml:"scopes"`
	// Salesforce fills the endpoints from a login host and makes the token
	// response's instance_url the profile's base URL.
	Salesforce *SalesforcePreset `yaml:"salesforce"`
	// BaseURL is the address service nodes with a relative url call
	// (without the salesforce preset). When set, the profile's credential
	// is only ever sent to this host.
	BaseURL string `yaml:"base_url"`
	// Username is the user of basic, oauth2_password and
	// oauth2_jwt_bearer (the JWT subject).
	Username string `yaml:"username"`
	// Password and SecurityToken are oauth2_password's; Salesforce wants
	// them concatenated, which the manager does.
	Password      SecretRef `yaml:"password"`
	SecurityToken SecretRef `yaml:"security_token"`
	// PrivateKey is the PEM RSA key that signs oauth2_jwt_bearer
	// assertions.
	PrivateKey SecretRef `yaml:"private_key"`
	// Audience is the JWT aud claim; the salesforce preset defaults it to
	// the login host.
	Audience string `yaml:"audience"`
	// Secret is the password (basic), key (api_key) or token (bearer).
	Secret SecretRef `yaml:"secret"`
	// Header carries the api_key (default X-API-Key), unless Query is set.
	Header string `yaml:"header"`
	// Query puts the api_key into this query parameter instead.
	Query string `yaml:"query"`
}

// SalesforcePreset is the salesforce: block of a profile.
type SalesforcePreset struct {
	// Login is production, sandbox, a My Domain URL
	// (https://NAME.my.salesforce.com) or, for the sfsim emulator, a
	// loopback URL (http://127.0.0.1:PORT).
	Login string `yaml:"login"`
	// APIVersion is the REST API version the bot's salesforce nodes call
	// through this profile, such as 62.0: set once per bot, here.
	APIVersion string `yaml:"api_version"`
}

// salesforceAPIVersion is the form of SalesforcePreset.APIVersion.
var salesforceAPIVersion = regexp.MustCompile(`^[1-9][0-9]\.0$`)

// Scopes is a list of OAuth scopes. In YAML it is a list or one
// space-separated string.
type Scopes []string

// UnmarshalYAML accepts a list or a space-separated string.
func (s *Scopes) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*s = strings.Fields(n.Value)
		return nil
	case yaml.SequenceNode:
		var l []string
		if err := n.Decode(&l); err != nil {
			return err
		}
		*s = l
		return nil
	}
	return errors.New("scopes: want a list or a space-separated string")
}

// SecretRef points at a secret: an environment variable or a file. The
// secret is read each time it is used, so a rotated file or variable takes
// effect without a restart.
type SecretRef struct {
	Env  string `yaml:"env"`
	File string `yaml:"file"`
}

// ErrLiteralSecret is wrapped by the error for a secret written into the
// bot file itself.
var ErrLiteralSecret = errors.New("literal secrets are not allowed in bot files; use {env: VAR_NAME} or {file: /path/to/secret}")

// UnmarshalYAML refuses literal secrets.
func (s *SecretRef) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		if n.ShortTag() == "!!null" {
			*s = SecretRef{}
			return nil
		}
		return fmt.Errorf("line %d: %w", n.Line, ErrLiteralSecret)
	}
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: a secret reference is {env: VAR_NAME} or {file: PATH}", n.Line)
	}
	var p SecretRef
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1]
		if v.Kind != yaml.ScalarNode {
			return fmt.Errorf("line %d: secret reference %s: want a string", v.Line, k)
		}
		switch k {
		case "env":
			p.Env = v.Value
		case "file":
			p.File = v.Value
		default:
			return fmt.Errorf("line %d: unknown key %q in secret reference (want env or file)", n.Content[i].Line, k)
		}
	}
	if (p.Env == "") == (p.File == "") {
		return fmt.Errorf("line %d: a secret reference needs exactly one of env or file", n.Line)
	}
	*s = p
	return nil
}

// IsZero reports whether no secret is referenced.
func (s SecretRef) IsZero() bool { return s.Env == "" && s.File == "" }

// String names the reference, never the secret.
func (s SecretRef) String() string {
	switch {
	case s.Env != "":
		return "env:" + s.Env
	case s.File != "":
		return "file:" + s.File
	}
	return "none"
}

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

// Salesforce login hosts.
const (
	SalesforceProduction = "https://login.salesforce.com"
	SalesforceSandbox    = "https://test.salesforce.com"
)

// loginURL returns the login base URL of the preset.
func (sp *SalesforcePreset) loginURL() (string, error) {
	login := strings.TrimSpace(sp.Login)
	switch login {
	case "production":
		return SalesforceProduction, nil
	case "sandbox":
		return SalesforceSandbox, nil
	case "":
		return "", errors.New("salesforce: login is required (production, sandbox, https://NAME.my.salesforce.com or http://127.0.0.1:PORT)")
	}
	u, err := url.Parse(login)
	if err != nil || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("salesforce: login %q: want production, sandbox, https://NAME.my.salesforce.com or http://127.0.0.1:PORT", login)
	}
	host := strings.ToLower(u.Hostname())
	switch {
	case u.Scheme == "https" && strings.HasSuffix(host, ".my.salesforce.com") && u.Port() == "":
	case u.Scheme == "http" && isLoopback(host):
	default:
		return "", fmt.Errorf("salesforce: login %q: want production, sandbox, https://NAME.my.salesforce.com or (sfsim) http://127.0.0.1:PORT", login)
	}
	return u.Scheme + "://" + u.Host, nil
}

// jwtAudience is Salesforce's expected aud for a login URL.
func salesforceAudience(login string) string {
	u, _ := url.Parse(login)
	switch {
	case u != nil && isLoopback(u.Hostname()):
		return login // sfsim accepts its own URL
	case login == SalesforceSandbox || strings.HasSuffix(strings.ToLower(login), ".sandbox.my.salesforce.com"):
		return SalesforceSandbox
	}
	return SalesforceProduction
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// endpoints are a profile's URLs after the preset is applied.
type endpoints struct {
	auth, token, refresh, revoke, userinfo string
	audience                               string
	login                                  string // salesforce login URL
}

func (p *Profile) endpoints() (endpoints, error) {
	e := endpoints{auth: p.AuthorizationURL, token: p.TokenURL, refresh: p.RefreshTokenURL,
		revoke: p.RevokeURL, userinfo: p.UserinfoURL, audience: p.Audience}
	if p.Salesforce != nil {
		login, err := p.Salesforce.loginURL()
		if err != nil {
			return e, err
		}
		e.login = login
		fill := func(s *string, v string) {
			if *s == "" {
				*s = v
			}
		}
		fill(&e.auth, login+"/services/oauth2/authorize")
		fill(&e.token, login+"/services/oauth2/token")
		fill(&e.revoke, login+"/services/oauth2/revoke")
		fill(&e.userinfo, login+"/services/oauth2/userinfo")
		fill(&e.audience, salesforceAudience(login))
	}
	if e.refresh == "" {
		e.refresh = e.token
	}
	return e, nil
}

// fields of a profile and the kinds they apply to.
var profileFields = []struct {
	name  string
	set   func(p *Profile) bool
	kinds []string
}{
	{"identity_provider", func(p *Profile) bool { return p.IdentityProvider != "" }, []string{KindOAuth2}},
	{"client_id", func(p *Profile) bool { return p.ClientID != "" }, []string{KindOAuth2, KindOAuth2Password, KindOAuth2JWTBearer, KindOAuth2ClientCreds}},
	{"client_secret", func(p *Profile) bool { return !p.ClientSecret.IsZero() }, []string{KindOAuth2, KindOAuth2Password, KindOAuth2ClientCreds, KindOAuth2JWTBearer}},
	{"authorization_url", func(p *Profile) bool { return p.AuthorizationURL != "" }, []string{KindOAuth2}},
	{"token_url", func(p *Profile) bool { return p.TokenURL != "" }, []string{KindOAuth2, KindOAuth2Password, KindOAuth2JWTBearer, KindOAuth2ClientCreds}},
	{"refresh_token_url", func(p *Profile) bool { return p.RefreshTokenURL != "" }, []string{KindOAuth2}},
	{"revoke_url", func(p *Profile) bool { return p.RevokeURL != "" }, []string{KindOAuth2, KindOAuth2Password, KindOAuth2JWTBearer, KindOAuth2ClientCreds}},
	{"userinfo_url", func(p *Profile) bool { return p.UserinfoURL != "" }, []string{KindOAuth2, KindOAuth2Password, KindOAuth2JWTBearer, KindOAuth2ClientCreds}},
	{"scopes", func(p *Profile) bool { return len(p.Scopes) > 0 }, []string{KindOAuth2, KindOAuth2JWTBearer, KindOAuth2ClientCreds}},
	{"salesforce", func(p *Profile) bool { return p.Salesforce != nil }, []string{KindOAuth2, KindOAuth2Password, KindOAuth2JWTBearer, KindOAuth2ClientCreds}},
	{"username", func(p *Profile) bool { return p.Username != "" }, []string{KindBasic, KindOAuth2Password, KindOAuth2JWTBearer}},
	{"password", func(p *Profile) bool { return !p.Password.IsZero() }, []string{KindOAuth2Password}},
	{"security_token", func(p *Profile) bool { return !p.SecurityToken.IsZero() }, []string{KindOAuth2Password}},
	{"private_key", func(p *Profile) bool { return !p.PrivateKey.IsZero() }, []string{KindOAuth2JWTBearer}},
	{"audience", func(p *Profile) bool { return p.Audience != "" }, []string{KindOAuth2JWTBearer}},
	{"secret", func(p *Profile) bool { return !p.Secret.IsZero() }, []string{KindBasic, KindAPIKey, KindBearer}},
	{"header", func(p *Profile) bool { return p.Header != "" }, []string{KindAPIKey}},
	{"query", func(p *Profile) bool { return p.Query != "" }, []string{KindAPIKey}},
}

// mode returns the profile's mode with the default applied.
func (p *Profile) mode() string {
	if p.Mode == "" {
		return ModePreAuthorized
	}
	return p.Mode
}

// IsOAuth reports whether the profile's kind is one of the OAuth grants.
func (p *Profile) IsOAuth() bool { return strings.HasPrefix(p.Kind, "oauth2") }

// Validate checks the profile. It does not read the secrets.
func (p *Profile) Validate() error {
	if err := p.checkKind(); err != nil {
		return err
	}
	if err := p.checkMode(); err != nil {
		return err
	}
	if err := p.checkFieldsApply(); err != nil {
		return err
	}
	if err := p.checkBaseURL(); err != nil {
		return err
	}
	e, err := p.endpoints()
	if err != nil {
		return err
	}
	if err := errors.Join(p.kindProblems(e)...); err != nil {
		return err
	}
	return checkEndpointURLs(e)
}

// checkKind wants one of the known kinds.
func (p *Profile) checkKind() error {
	if p.Kind == "" {
		return fmt.Errorf("kind is required (one of %s)", strings.Join(kinds, ", "))
	}
	if !slices.Contains(kinds, p.Kind) {
		return fmt.Errorf("unknown kind %q (known: %s)", p.Kind, strings.Join(kinds, ", "))
	}
	return nil
}

// checkMode wants a known mode: given for oauth2, per_user only there.
func (p *Profile) checkMode() error {
	switch p.Mode {
	case "":
		if p.Kind == KindOAuth2 {
			return errors.New("mode is required for kind oauth2: pre_authorized (an administrator signs in once for the bot) or per_user (each user signs in from the chat)")
		}
	case ModePreAuthorized:
	case ModePerUser:
		if p.Kind != KindOAuth2 {
			return fmt.Errorf("mode per_user needs kind oauth2 (kind %s has one credential for the whole bot)", p.Kind)
		}
	default:
		return fmt.Errorf("unknown mode %q (known: pre_authorized, per_user)", p.Mode)
	}
	return nil
}

// checkFieldsApply refuses a field set for a kind that does not use it.
func (p *Profile) checkFieldsApply() error {
	for _, f := range profileFields {
		if f.set(p) && !slices.Contains(f.kinds, p.Kind) {
			return fmt.Errorf("field %s does not apply to kind %s", f.name, p.Kind)
		}
	}
	return nil
}

// checkBaseURL wants base_url absolute and https, and not beside the
// salesforce preset (whose api_version it also checks).
func (p *Profile) checkBaseURL() error {
	if p.Salesforce != nil && p.Salesforce.APIVersion != "" && !salesforceAPIVersion.MatchString(p.Salesforce.APIVersion) {
		return fmt.Errorf("salesforce.api_version %q: want a version such as 62.0", p.Salesforce.APIVersion)
	}
	if p.BaseURL == "" {
		return nil
	}
	if p.Salesforce != nil {
		return errors.New("base_url and salesforce exclude each other: with the salesforce preset the base URL is the token's instance_url")
	}
	if err := checkURL("base_url", p.BaseURL); err != nil {
		return err
	}
	// Service nodes append their path to the base URL: it would land in
	// a query or fragment.
	if u, _ := url.Parse(p.BaseURL); u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.HasSuffix(p.BaseURL, "#") {
		return fmt.Errorf("base_url %q: must not have a query or fragment (node paths are appended to it)", p.BaseURL)
	}
	return nil
}

// kindRequirement is one thing a kind of profile needs; what completes
// "kind K needs ...".
type kindRequirement struct {
	what string
	met  func(p *Profile, e endpoints) bool
}

var (
	needClientID         = kindRequirement{"client_id", func(p *Profile, _ endpoints) bool { return p.ClientID != "" }}
	needClientSecret     = kindRequirement{"client_secret", func(p *Profile, _ endpoints) bool { return !p.ClientSecret.IsZero() }}
	needSecret           = kindRequirement{"secret", func(p *Profile, _ endpoints) bool { return !p.Secret.IsZero() }}
	needUsername         = kindRequirement{"username", func(p *Profile, _ endpoints) bool { return p.Username != "" }}
	needPassword         = kindRequirement{"password", func(p *Profile, _ endpoints) bool { return !p.Password.IsZero() }}
	needPrivateKey       = kindRequirement{"private_key", func(p *Profile, _ endpoints) bool { return !p.PrivateKey.IsZero() }}
	needAuthorizationURL = kindRequirement{"authorization_url (or the salesforce preset)", func(_ *Profile, e endpoints) bool { return e.auth != "" }}
	needTokenURL         = kindRequirement{"token_url (or the salesforce preset)", func(_ *Profile, e endpoints) bool { return e.token != "" }}
	needJWTIssuer        = kindRequirement{"client_id (the consumer key, the JWT issuer)", needClientID.met}
	needJWTSubject       = kindRequirement{"username (the JWT subject)", needUsername.met}
	needUsernameSecret   = kindRequirement{"username and secret", func(p *Profile, e endpoints) bool { return needUsername.met(p, e) && needSecret.met(p, e) }}
)

// kindRequirements are what each kind needs, in the order Validate
// reports them.
var kindRequirements = map[string][]kindRequirement{
	KindBasic:             {needUsernameSecret},
	KindBearer:            {needSecret},
	KindAPIKey:            {needSecret},
	KindOAuth2:            {needClientID, needClientSecret, needAuthorizationURL, needTokenURL},
	KindOAuth2Password:    {needClientID, needClientSecret, needUsername, needPassword, needTokenURL},
	KindOAuth2JWTBearer:   {needJWTIssuer, needJWTSubject, needPrivateKey, needTokenURL},
	KindOAuth2ClientCreds: {needClientID, needClientSecret, needTokenURL},
}

// kindProblems lists every requirement of the kind the profile misses,
// then the kind's conflicts.
func (p *Profile) kindProblems(e endpoints) []error {
	var errs []error
	for _, r := range kindRequirements[p.Kind] {
		if !r.met(p, e) {
			errs = append(errs, fmt.Errorf("kind %s needs %s", p.Kind, r.what))
		}
	}
	switch {
	case p.Kind == KindAPIKey && p.Header != "" && p.Query != "":
		errs = append(errs, errors.New("api_key goes in a header or a query parameter, not both"))
	case p.Kind == KindOAuth2ClientCreds && p.Salesforce != nil && (p.Salesforce.Login == "production" || p.Salesforce.Login == "sandbox"):
		errs = append(errs, errors.New("salesforce serves the client-credentials flow on the org's My Domain only: set login to https://NAME.my.salesforce.com"))
	}
	return errs
}

// checkEndpointURLs checks each endpoint URL the profile has.
func checkEndpointURLs(e endpoints) error {
	for _, u := range []struct{ name, v string }{
		{"authorization_url", e.auth}, {"token_url", e.token}, {"refresh_token_url", e.refresh},
		{"revoke_url", e.revoke}, {"userinfo_url", e.userinfo},
	} {
		if u.v == "" {
			continue
		}
		if err := checkURL(u.name, u.v); err != nil {
			return err
		}
	}
	return nil
}

// checkURL wants an absolute https URL (http only for loopback hosts).
func checkURL(name, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%s %q: not an absolute URL", name, raw)
	}
	if u.User != nil {
		return fmt.Errorf("%s: credentials do not belong in a URL", name)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	default:
		return fmt.Errorf("%s %q: must be https (http only for 127.0.0.1 or localhost)", name, raw)
	}
	return nil
}
