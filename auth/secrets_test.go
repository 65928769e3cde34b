package auth

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/botforge/dialogd/sessions"
	"github.com/botforge/dialogd/sessions/redistest"
)

// TestSecretsNeverInLogsOrRedis runs every flow against a real Redis with
// debug logging on, collecting each secret it meets (configured secrets,
// tokens, codes, states, verifiers, session ids), then checks that none
// appears in the logs or in any Redis value or key.
func TestSecretsNeverInLogsOrRedis(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	h := newHarness(t, harnessConfig{store: sessions.NewRedis(rdb, sessions.Options{})})
	ctx := context.Background()
	m := h.newManager("acme", map[string]*Profile{
		"user": h.perUser(), "admin": h.adminCode(), "pw": h.password(), "jwt": h.jwtBearer(),
	})
	keyPEM, _ := os.ReadFile(h.keyFile)
	secrets := map[string]string{
		"client secret":  h.creds.ClientSecret,
		"password":       h.creds.Password,
		"security token": h.creds.SecurityToken,
		"private key":    strings.Split(string(keyPEM), "\n")[1],
		"bot secret key": testSecret,
		"session id":     "sess-secret-0123456789",
	}
	collect := func(label, profile, user string) {
		t.Helper()
		rec, err := m.loadToken(ctx, profile, user)
		if err != nil || rec == nil {
			t.Fatalf("%s: no token stored (%v)", label, err)
		}
		secrets[label+" access token"] = rec.AccessToken
		if rec.RefreshToken != "" {
			secrets[label+" refresh token"] = rec.RefreshToken
		}
	}
	signIn := func(label, authURL string) {
		t.Helper()
		u, _ := url.Parse(authURL)
		secrets[label+" state"] = u.Query().Get("state")
		_, _, nonce := nonceOf(t, authURL)
		var rec stateRecord
		if ok, err := m.loadSealed(ctx, stateKey("acme", nonce), &rec, 0); !ok || err != nil {
			t.Fatalf("%s: state record %v %v", label, ok, err)
		}
		secrets[label+" verifier"] = rec.Verifier
		b := newBrowser(t)
		loc := b.authorize(authURL, h.sf.URL, h.creds.Username, h.creds.Password, true)
		cu, _ := url.Parse(loc)
		secrets[label+" code"] = cu.Query().Get("code")
		if r := b.do(http.MethodGet, loc, nil); r.status != 200 {
			t.Fatalf("%s: callback %d", label, r.status)
		}
	}

	tu := turn("acme", secrets["session id"], "visitor-1", "create_lead")
	signIn("user", needAuth(t, m.Apply(ctx, tu, "user", mustReq(t, h.sf.URL))))
	h.event(t)
	collect("user", "user", "visitor-1")
	adminURL, _, err := m.AdminAuthURL(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	signIn("admin", adminURL)
	collect("admin", "admin", botUser)
	for _, p := range []string{"pw", "jwt"} {
		if st, err := h.call(m, tu, p); st != 200 {
			t.Fatalf("%s call: %d %v", p, st, err)
		}
		collect(p, p, botUser)
	}
	h.sim.ExpireAccessTokens()
	for _, p := range []string{"user", "admin", "pw", "jwt"} {
		if st, err := h.callWithRefresh(m, tu, p); st != 200 {
			t.Fatalf("%s call after expiry: %d %v", p, st, err)
		}
		user := botUser
		if p == "user" {
			user = "visitor-1"
		}
		collect(p+" refreshed", p, user)
	}
	// A refused refresh and a revocation log too.
	h.sim.RevokeRefreshTokens("")
	h.sim.ExpireAccessTokens()
	h.callWithRefresh(m, tu, "admin")
	if err := m.Revoke(ctx, "visitor-1", "user"); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	if err := m.Revoke(ctx, "", "pw"); err != nil {
		t.Fatalf("Revoke pw: %v", err)
	}

	logs := h.logs.String()
	if !strings.Contains(logs, "level=DEBUG") {
		t.Fatalf("no debug logs captured; the check would be vacuous")
	}
	keys, err := rdb.Keys(ctx, "*").Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("redis KEYS: %v, %d keys", err, len(keys))
	}
	var dump strings.Builder
	for _, k := range keys {
		dump.WriteString(k + "\n")
		typ, _ := rdb.Type(ctx, k).Result()
		if typ == "string" {
			v, _ := rdb.Get(ctx, k).Result()
			dump.WriteString(v + "\n")
		}
		d, _ := rdb.Dump(ctx, k).Result()
		dump.WriteString(d + "\n")
	}
	if !strings.Contains(dump.String(), "auth:tok:acme:") || !strings.Contains(dump.String(), "auth:state:acme:") {
		t.Fatalf("redis dump has no token keys; the check would be vacuous:\n%s", keys)
	}
	for label, s := range secrets {
		if len(s) < 6 {
			t.Fatalf("secret %s is too short to search for: %q", label, s)
		}
		if strings.Contains(logs, s) {
			t.Errorf("logs contain the %s", label)
		}
		if strings.Contains(dump.String(), s) {
			t.Errorf("redis dump contains the %s", label)
		}
	}
}
