package auth

import (
	"net/url"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/botforge/dialogd/sessions"
)

// profileSeeds are auth_profiles blocks as designers write them, and
// mistakes.
var profileSeeds = []string{
	"kind: oauth2\nmode: per_user\nsalesforce: {login: production}\nclient_id: 3MVG9\nclient_secret: {env: SF_CLIENT_SECRET}\nscopes: [api, refresh_token]\n",
	"kind: oauth2_jwt_bearer\nsalesforce: {login: 'https://acme.my.salesforce.com'}\nclient_id: 3MVG9\nusername: integration@acme.example\nprivate_key: {file: /etc/dialogd/salesforce.key}\n",
	"kind: oauth2_password\nsalesforce: {login: 'http://127.0.0.1:9100'}\nclient_id: c\nclient_secret: {env: S}\nusername: u\npassword: {env: P}\nsecurity_token: {env: T}\n",
	"kind: oauth2_client_credentials\nsalesforce: {login: sandbox}\nclient_id: c\nclient_secret: {env: S}\nscopes: api web\n",
	"kind: oauth2\nmode: pre_authorized\nclient_id: c\nclient_secret: {env: S}\nauthorization_url: https://idp.example/authorize\ntoken_url: https://idp.example/token\nrevoke_url: https://idp.example/revoke\n",
	"kind: api_key\nsecret: {env: K}\nquery: key\nbase_url: https://api.example\n",
	"kind: basic\nusername: u\nsecret: {file: /run/secrets/p}\nbase_url: 'http://[::1]:8080/v1'\n",
	"kind: bearer\nsecret: hunter2\n",
	"kind: bearer\nsecret: {env: A, file: B}\n",
	"kind: oauth2\nmode: per_user\nclient_id: c\nclient_secret: {env: S}\nauthorization_url: 'https://u:p@idp.example/a'\ntoken_url: 'javascript:alert(1)'\n",
	"kind: oauth2\nmode: per_user\nsalesforce: {login: 'https://evil.example/x.my.salesforce.com'}\nclient_id: c\nclient_secret: {env: S}\n",
	"kind: none\nbase_url: 'https://api.example?x=1#f'\n",
	"kind: [oauth2]\n",
	"",
}

// FuzzAuthProfile: any YAML decodes into a Profile or fails, without a
// panic; a literal secret never decodes; and a profile that Validate
// accepts has a known mode, secret references with exactly one source,
// and only absolute https endpoints without credentials (http only on
// loopback), so the credential it holds can only go where the designer
// meant. NewManager agrees with Validate.
func FuzzAuthProfile(f *testing.F) {
	for _, s := range profileSeeds {
		f.Add(s)
	}
	store := sessions.NewMemory(sessions.Options{})
	f.Cleanup(func() { store.Close() })
	kr, err := KeyringFromSecrets([]byte(testSecret))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src string) {
		var p Profile
		if err := yaml.Unmarshal([]byte(src), &p); err != nil {
			return
		}
		for _, s := range []SecretRef{p.ClientSecret, p.Password, p.SecurityToken, p.PrivateKey, p.Secret} {
			if !s.IsZero() && (s.Env == "") == (s.File == "") {
				t.Fatalf("secret reference %+v has not exactly one source", s)
			}
		}
		verr := p.Validate()
		if again := p.Validate(); (verr == nil) != (again == nil) || verr != nil && verr.Error() != again.Error() {
			t.Fatalf("Validate is not deterministic: %v, then %v", verr, again)
		}
		_, merr := NewManager("bot", map[string]*Profile{"p": &p}, store, Options{Keyring: kr, PublicURL: "https://bots.example"})
		if (verr == nil) != (merr == nil) {
			t.Fatalf("Validate = %v but NewManager = %v", verr, merr)
		}
		if verr != nil {
			return
		}
		checkValidProfile(t, &p)
	})
}

func checkValidProfile(t *testing.T, p *Profile) {
	t.Helper()
	if m := p.mode(); m != ModePreAuthorized && !(m == ModePerUser && p.Kind == KindOAuth2) {
		t.Fatalf("accepted mode %q for kind %q", m, p.Kind)
	}
	e, err := p.endpoints()
	if err != nil {
		t.Fatalf("accepted profile's endpoints: %v", err)
	}
	for name, raw := range map[string]string{"authorization": e.auth, "token": e.token, "refresh": e.refresh,
		"revoke": e.revoke, "userinfo": e.userinfo, "base_url": p.BaseURL, "login": e.login} {
		if raw == "" {
			continue
		}
		u, err := url.Parse(raw)
		switch {
		case err != nil || u.Host == "":
			t.Fatalf("accepted %s URL %q is not absolute (%v)", name, raw, err)
		case u.User != nil:
			t.Fatalf("accepted %s URL %q carries credentials", name, raw)
		case u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())):
			t.Fatalf("accepted %s URL %q is neither https nor loopback http", name, raw)
		}
	}
	if u, _ := url.Parse(p.BaseURL); p.BaseURL != "" && (u.RawQuery != "" || u.Fragment != "" || u.ForceQuery) {
		// Node paths are appended to the base URL: they would land in
		// its query or fragment.
		t.Fatalf("accepted base_url %q has a query or fragment", p.BaseURL)
	}
	if e.login != "" {
		if u, _ := url.Parse(e.login); u.Path != "" || u.RawQuery != "" || u.Fragment != "" {
			t.Fatalf("salesforce login %q is more than scheme and host", e.login)
		}
	}
}
