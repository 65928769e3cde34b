package auth

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

func TestProfileValidate(t *testing.T) {
	sec := SecretRef{Env: "X"}
	sf := &SalesforcePreset{Login: "production"}
	tests := []struct {
		name    string
		p       Profile
		wantErr string // "" = valid
	}{
		{"per_user oauth2 salesforce", Profile{Kind: KindOAuth2, Mode: ModePerUser, ClientID: "c", ClientSecret: sec, Salesforce: sf}, ""},
		{"oauth2 needs mode", Profile{Kind: KindOAuth2, ClientID: "c", ClientSecret: sec, Salesforce: sf}, "mode is required"},
		{"per_user only for oauth2", Profile{Kind: KindOAuth2Password, Mode: ModePerUser}, "per_user needs kind oauth2"},
		{"unknown kind", Profile{Kind: "saml"}, `unknown kind "saml"`},
		{"missing kind", Profile{}, "kind is required"},
		{"oauth2 without urls", Profile{Kind: KindOAuth2, Mode: ModePerUser, ClientID: "c", ClientSecret: sec}, "authorization_url"},
		{"generic oauth2", Profile{Kind: KindOAuth2, Mode: ModePreAuthorized, ClientID: "c", ClientSecret: sec,
			AuthorizationURL: "https://idp.example/auth", TokenURL: "https://idp.example/token"}, ""},
		{"plain http refused", Profile{Kind: KindOAuth2, Mode: ModePreAuthorized, ClientID: "c", ClientSecret: sec,
			AuthorizationURL: "http://idp.example/auth", TokenURL: "https://idp.example/token"}, "must be https"},
		{"password needs password", Profile{Kind: KindOAuth2Password, ClientID: "c", ClientSecret: sec, Username: "u", Salesforce: sf}, "password"},
		{"jwt", Profile{Kind: KindOAuth2JWTBearer, ClientID: "c", Username: "u", PrivateKey: sec, Salesforce: sf}, ""},
		{"client credentials not on production", Profile{Kind: KindOAuth2ClientCreds, ClientID: "c", ClientSecret: sec, Salesforce: sf}, "My Domain"},
		{"client credentials on my domain", Profile{Kind: KindOAuth2ClientCreds, ClientID: "c", ClientSecret: sec,
			Salesforce: &SalesforcePreset{Login: "https://acme.my.salesforce.com"}}, ""},
		{"bad login", Profile{Kind: KindOAuth2JWTBearer, ClientID: "c", Username: "u", PrivateKey: sec,
			Salesforce: &SalesforcePreset{Login: "https://evil.example"}}, "salesforce: login"},
		{"field of another kind", Profile{Kind: KindBearer, Secret: sec, Username: "u"}, "field username does not apply to kind bearer"},
		{"api key both places", Profile{Kind: KindAPIKey, Secret: sec, Header: "X", Query: "k"}, "not both"},
		{"basic", Profile{Kind: KindBasic, Username: "u", Secret: sec}, ""},
		{"none", Profile{Kind: KindNone}, ""},
		{"base_url with preset", Profile{Kind: KindOAuth2JWTBearer, ClientID: "c", Username: "u", PrivateKey: sec, Salesforce: sf,
			BaseURL: "https://x.example"}, "exclude each other"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.p.Validate()
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("Validate() = %v; want nil", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("Validate() = %v; want an error containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestSalesforcePresetEndpoints(t *testing.T) {
	tests := []struct {
		login, token, audience string
	}{
		{"production", "https://login.salesforce.com/services/oauth2/token", "https://login.salesforce.com"},
		{"sandbox", "https://test.salesforce.com/services/oauth2/token", "https://test.salesforce.com"},
		{"https://acme.my.salesforce.com", "https://acme.my.salesforce.com/services/oauth2/token", "https://login.salesforce.com"},
		{"https://acme--dev.sandbox.my.salesforce.com/", "https://acme--dev.sandbox.my.salesforce.com/services/oauth2/token", "https://test.salesforce.com"},
		{"http://127.0.0.1:8443", "http://127.0.0.1:8443/services/oauth2/token", "http://127.0.0.1:8443"},
	}
	for _, tc := range tests {
		p := Profile{Salesforce: &SalesforcePreset{Login: tc.login}}
		e, err := p.endpoints()
		if err != nil || e.token != tc.token || e.audience != tc.audience || e.refresh != tc.token ||
			!strings.HasSuffix(e.revoke, "/services/oauth2/revoke") || !strings.HasSuffix(e.auth, "/services/oauth2/authorize") {
			t.Errorf("login %q: endpoints %+v, %v; want token %q audience %q", tc.login, e, err, tc.token, tc.audience)
		}
	}
}

func TestProfileYAML(t *testing.T) {
	src := `
kind: oauth2
mode: per_user
identity_provider: Acme SSO
client_id: 3MVG9
client_secret: {env: SF_SECRET}
scopes: api refresh_token
salesforce: {login: sandbox}
`
	var p Profile
	if err := nodes.UnmarshalStrict("profile.yaml", []byte(src), &p); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if p.ClientSecret.Env != "SF_SECRET" || len(p.Scopes) != 2 || p.Salesforce.Login != "sandbox" || p.IdentityProvider != "Acme SSO" {
		t.Errorf("decoded %+v", p)
	}
	if err := p.Validate(); err != nil {
		t.Errorf("Validate() = %v", err)
	}
	var bad Profile
	err := nodes.UnmarshalStrict("profile.yaml", []byte("kind: none\nclient_secrte: {env: X}\n"), &bad)
	if err == nil || !strings.Contains(err.Error(), "client_secrte") {
		t.Errorf("unknown key: got %v; want it named", err)
	}
}

func TestKeyring(t *testing.T) {
	oldK, _ := DeriveKey([]byte("the-old-secret-key-0123"))
	newK, _ := DeriveKey([]byte("the-new-secret-key-4567"))
	if oldK.ID() == newK.ID() || len(oldK.ID()) != 8 {
		t.Fatalf("key ids %q %q; want distinct 8-character ids", oldK.ID(), newK.ID())
	}
	if _, err := DeriveKey([]byte("short")); err == nil {
		t.Errorf("DeriveKey(short) succeeded; want an error")
	}
	before, _ := NewKeyring(oldK)
	after, _ := NewKeyring(newK, oldK)
	onlyNew, _ := NewKeyring(newK)
	plain, aad := []byte("access-token-value"), []byte("auth:tok:a:b:c")
	sealed, err := before.seal(plain, aad)
	if err != nil || bytes.Contains(sealed, plain) {
		t.Fatalf("seal: %v (plaintext visible: %v)", err, bytes.Contains(sealed, plain))
	}
	got, old, err := after.open(sealed, aad)
	if err != nil || !bytes.Equal(got, plain) || !old {
		t.Errorf("rotated keyring open = %q, old=%v, %v; want the plaintext from an old key", got, old, err)
	}
	if _, _, err := onlyNew.open(sealed, aad); !errors.Is(err, ErrUndecryptable) {
		t.Errorf("open without the old key: %v; want ErrUndecryptable", err)
	}
	if _, _, err := after.open(sealed, []byte("auth:tok:a:b:other")); !errors.Is(err, ErrUndecryptable) {
		t.Errorf("open in another slot: %v; want ErrUndecryptable", err)
	}
	tampered := append([]byte(nil), sealed...)
	tampered[len(tampered)-1] ^= 1
	if _, _, err := after.open(tampered, aad); !errors.Is(err, ErrUndecryptable) {
		t.Errorf("open tampered: %v; want ErrUndecryptable", err)
	}
}

func TestRotationRewritesStoredToken(t *testing.T) {
	store := sessions.NewMemory(sessions.Options{})
	defer store.Close()
	oldRing, _ := KeyringFromSecrets([]byte("the-old-secret-key-0123"))
	newRing, _ := KeyringFromSecrets([]byte("the-new-secret-key-4567"), []byte("the-old-secret-key-0123"))
	p := map[string]*Profile{"b": {Kind: KindBearer, Secret: SecretRef{Env: "X"}}}
	m1, _ := NewManager("acme", p, store, Options{Keyring: oldRing})
	m2, _ := NewManager("acme", p, store, Options{Keyring: newRing})
	ctx := context.Background()
	if err := m1.saveToken(ctx, "sf", "u", &tokenRecord{AccessToken: "tok-123456"}); err != nil {
		t.Fatal(err)
	}
	rec, err := m2.loadToken(ctx, "sf", "u")
	if err != nil || rec == nil || rec.AccessToken != "tok-123456" {
		t.Fatalf("load with rotated ring: %+v, %v", rec, err)
	}
	raw, _ := store.Get(ctx, tokenKey("acme", "sf", "u"))
	if id := string(raw[2 : 2+raw[1]]); id != newRing.current.ID() {
		t.Errorf("stored value's key id = %q after a read; want the current key %q", id, newRing.current.ID())
	}
}

func TestStaticKinds(t *testing.T) {
	t.Setenv("AUTH_STATIC_SECRET", "s3cr3t-value")
	sec := SecretRef{Env: "AUTH_STATIC_SECRET"}
	kr, _ := KeyringFromSecrets([]byte(testSecret))
	store := sessions.NewMemory(sessions.Options{})
	defer store.Close()
	m, err := NewManager("acme", map[string]*Profile{
		"basic":  {Kind: KindBasic, Username: "bob", Secret: sec},
		"bearer": {Kind: KindBearer, Secret: sec, BaseURL: "https://api.example"},
		"header": {Kind: KindAPIKey, Secret: sec},
		"query":  {Kind: KindAPIKey, Secret: sec, Query: "key"},
		"none":   {Kind: KindNone},
	}, store, Options{Keyring: kr})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		profile, url, header, value, query string
	}{
		{"basic", "https://x.example/a", "Authorization", "Basic Ym9iOnMzY3IzdC12YWx1ZQ==", ""},
		{"bearer", "https://api.example/a", "Authorization", "Bearer s3cr3t-value", ""},
		{"header", "https://x.example/a", "X-Api-Key", "s3cr3t-value", ""},
		{"query", "https://x.example/a?q=1", "", "", "key=s3cr3t-value&q=1"},
		{"none", "https://x.example/a", "Authorization", "", ""},
	}
	for _, tc := range tests {
		req, _ := http.NewRequest(http.MethodGet, tc.url, nil)
		if err := m.Apply(context.Background(), nil, tc.profile, req); err != nil {
			t.Errorf("%s: Apply() = %v", tc.profile, err)
			continue
		}
		if tc.header != "" && req.Header.Get(tc.header) != tc.value {
			t.Errorf("%s: %s = %q; want %q", tc.profile, tc.header, req.Header.Get(tc.header), tc.value)
		}
		if tc.query != "" && req.URL.RawQuery != tc.query {
			t.Errorf("%s: query = %q; want %q", tc.profile, req.URL.RawQuery, tc.query)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, "https://other.example/a", nil)
	if err := m.Apply(context.Background(), nil, "bearer", req); err == nil || req.Header.Get("Authorization") != "" {
		t.Errorf("bearer to a host other than base_url: %v; want a refusal", err)
	}
	if base, err := m.BaseURL(context.Background(), nil, "bearer"); base != "https://api.example" || err != nil {
		t.Errorf("BaseURL(bearer) = %q, %v", base, err)
	}
	if err := m.Apply(context.Background(), nil, "nope", req); !errors.Is(err, ErrUnknownProfile) {
		t.Errorf("unknown profile: %v; want ErrUnknownProfile", err)
	}
}

func TestNewManagerNeedsPublicURLForOAuth2(t *testing.T) {
	kr, _ := KeyringFromSecrets([]byte(testSecret))
	store := sessions.NewMemory(sessions.Options{})
	defer store.Close()
	p := map[string]*Profile{"sf": {Kind: KindOAuth2, Mode: ModePerUser, ClientID: "c", ClientSecret: SecretRef{Env: "X"},
		Salesforce: &SalesforcePreset{Login: "production"}}}
	for _, pub := range []string{"", "http://bots.example.com", "ftp://x", "https://bots.example.com/?a=1"} {
		if _, err := NewManager("acme", p, store, Options{Keyring: kr, PublicURL: pub}); err == nil {
			t.Errorf("NewManager with public URL %q succeeded; want an error", pub)
		}
	}
	m, err := NewManager("acme", p, store, Options{Keyring: kr, PublicURL: "https://bots.example.com/"})
	if err != nil || m.CallbackURL() != "https://bots.example.com/oauth/callback" {
		t.Errorf("CallbackURL() = %q, %v", m.CallbackURL(), err)
	}
}

func FuzzCallbackQuery(f *testing.F) {
	f.Add("code=abc&state=" + encodeState("acme", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
	f.Add("error=access_denied&state=YWNtZQ.x")
	f.Add("state=%zz&code=1")
	f.Add("state=a&state=b&code=c")
	f.Add("")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := parseCallbackQuery(raw)
		if err != nil {
			return
		}
		if q.state == "" {
			t.Fatalf("accepted a query without state: %q", raw)
		}
		bot, nonce, err := decodeState(q.state)
		if err != nil {
			return
		}
		if again := encodeState(bot, nonce); again != q.state {
			t.Fatalf("state %q decodes to (%q, %q), which encodes to %q", q.state, bot, nonce, again)
		}
	})
}

func FuzzOpenSealed(f *testing.F) {
	kr, _ := KeyringFromSecrets([]byte(testSecret))
	s, _ := kr.seal([]byte("x"), []byte("k"))
	f.Add(s)
	f.Add([]byte{1, 8})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		plain, _, err := kr.open(b, []byte("k"))
		if err == nil && !bytes.Equal(plain, []byte("x")) {
			t.Fatalf("opened forged value to %q", plain)
		}
	})
}
