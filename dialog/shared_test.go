package dialog_test

import (
	"strings"
	"testing"

	"github.com/botforge/dialogd/auth"
	"github.com/botforge/dialogd/dialog"
)

func TestCheckShared(t *testing.T) {
	mk := func(name string, profiles map[string]*auth.Profile) *dialog.Bot {
		return &dialog.Bot{Dir: "bots/" + name, Config: dialog.BotConfig{Name: name, AuthProfiles: profiles}}
	}
	sf := func(client string, scopes ...string) *auth.Profile {
		return &auth.Profile{Kind: "oauth2", Mode: "per_user", ClientID: client, Scopes: scopes, Salesforce: &auth.SalesforcePreset{Login: "production"}}
	}
	tests := []struct {
		name string
		bots []*dialog.Bot
		want []string // substrings of the error; none means no error
	}{
		{"same", []*dialog.Bot{mk("a", map[string]*auth.Profile{"sf": sf("x", "api")}), mk("b", map[string]*auth.Profile{"sf": sf("x", "api")})}, nil},
		{"different names", []*dialog.Bot{mk("a", map[string]*auth.Profile{"sf": sf("x")}), mk("b", map[string]*auth.Profile{"crm": sf("y")})}, nil},
		{"differs", []*dialog.Bot{mk("a", map[string]*auth.Profile{"sf": sf("x", "api")}), mk("b", map[string]*auth.Profile{"sf": sf("y", "api", "refresh_token")})},
			[]string{`auth profile "sf" is shared by bots "a" and "b" but differs in: client_id, scopes`}},
		{"duplicate bot", []*dialog.Bot{mk("a", nil), mk("a", nil)}, []string{`both named "a"`}},
	}
	for _, tt := range tests {
		err := dialog.CheckShared(tt.bots)
		if len(tt.want) == 0 {
			if err != nil {
				t.Errorf("%s: CheckShared = %v, want nil", tt.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: CheckShared = nil, want an error", tt.name)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", tt.name, err, w)
			}
		}
	}
}
