package dialog

import (
	"os"
	"strings"
	"testing"

	"github.com/botforge/dialogd/auth"
)

// Variables FuzzExpandEnv sets: a secret no input names, and a variable
// whose value is itself a reference to it.
const (
	fuzzSecretVar   = "DIALOGD_FUZZ_CANARY"
	fuzzSecretValue = "\u2603canary\u2603" // the snowman comes from nowhere else
	fuzzIndirectVar = "DIALOGD_FUZZ_INDIRECT"
	fuzzPlainVar    = "DIALOGD_FUZZ_HOST"
)

// FuzzExpandEnv: ${VAR} and ${VAR:-default} expansion of bot.yaml values
// and auth profile settings never panics, leaves text without '$' as it
// is, expands once (a value or default that holds ${X} is not expanded
// again, so a variable cannot pull in another, secret one), gives an
// unset variable's default, and a profile expanded from any text is
// decided by Validate without a panic.
func FuzzExpandEnv(f *testing.F) {
	for k, v := range map[string]string{fuzzSecretVar: fuzzSecretValue, fuzzIndirectVar: "${" + fuzzSecretVar + "}", fuzzPlainVar: "127.0.0.1:9100"} {
		if err := os.Setenv(k, v); err != nil {
			f.Fatal(err)
		}
	}
	f.Add("${" + fuzzPlainVar + "}")
	f.Add("http://${" + fuzzPlainVar + ":-localhost:8080}/services/oauth2/token")
	f.Add("${DIALOGD_FUZZ_UNSET:-https://login.salesforce.com}")
	f.Add("${DIALOGD_FUZZ_UNSET:-${" + fuzzSecretVar + "}}")
	f.Add("${" + fuzzIndirectVar + "}")
	f.Add("$" + fuzzIndirectVar + "x")
	f.Add("${DIALOGD_FUZZ_UNSET:-}")
	f.Add("${:-a}${}$${$")
	f.Add("no dollars here")
	f.Add("${" + fuzzSecretVar + "}")
	f.Fuzz(func(t *testing.T, s string) {
		got := expandEnv(s)
		if !strings.Contains(s, "$") && got != s {
			t.Fatalf("expandEnv(%q) = %q; want it unchanged", s, got)
		}
		if strings.ContainsRune(got, '\u2603') && !strings.ContainsRune(s, '\u2603') && !strings.Contains(s, fuzzSecretVar) {
			t.Fatalf("expandEnv(%q) = %q: it pulled in a variable the text does not name", s, got)
		}
		if inner, ok := strings.CutPrefix(s, "${DIALOGD_FUZZ_UNSET:-"); ok && strings.HasSuffix(inner, "}") {
			if def := strings.TrimSuffix(inner, "}"); !strings.Contains(def, "}") && got != def {
				t.Fatalf("expandEnv(%q) = %q; want the default %q", s, got, def)
			}
		}
		p := &auth.Profile{Kind: auth.KindOAuth2, Mode: auth.ModePerUser, ClientID: s, TokenURL: s, AuthorizationURL: s,
			ClientSecret: auth.SecretRef{Env: "X"}, Salesforce: &auth.SalesforcePreset{Login: s}}
		expandProfile(p)
		_ = p.Validate()
	})
}
