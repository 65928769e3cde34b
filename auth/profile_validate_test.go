package auth

import "testing"

// TestProfileValidateWording pins the whole error text of Validate for what
// each kind needs (all missing things at once, in order) and for the
// checks TestProfileValidate leaves out.
func TestProfileValidateWording(t *testing.T) {
	sec := SecretRef{Env: "X"}
	sf := &SalesforcePreset{Login: "production"}
	tests := []struct {
		name string
		p    Profile
		want string
	}{
		{"basic", Profile{Kind: KindBasic, Username: "u"}, "kind basic needs username and secret"},
		{"bearer", Profile{Kind: KindBearer}, "kind bearer needs secret"},
		{"api_key both places and no secret", Profile{Kind: KindAPIKey, Header: "X", Query: "k"},
			"kind api_key needs secret\napi_key goes in a header or a query parameter, not both"},
		{"oauth2 nothing", Profile{Kind: KindOAuth2, Mode: ModePerUser},
			"kind oauth2 needs client_id\nkind oauth2 needs client_secret\nkind oauth2 needs authorization_url (or the salesforce preset)\nkind oauth2 needs token_url (or the salesforce preset)"},
		{"password nothing", Profile{Kind: KindOAuth2Password},
			"kind oauth2_password needs client_id\nkind oauth2_password needs client_secret\nkind oauth2_password needs username\nkind oauth2_password needs password\nkind oauth2_password needs token_url (or the salesforce preset)"},
		{"jwt nothing", Profile{Kind: KindOAuth2JWTBearer},
			"kind oauth2_jwt_bearer needs client_id (the consumer key, the JWT issuer)\nkind oauth2_jwt_bearer needs username (the JWT subject)\nkind oauth2_jwt_bearer needs private_key\nkind oauth2_jwt_bearer needs token_url (or the salesforce preset)"},
		{"client credentials on production without secret", Profile{Kind: KindOAuth2ClientCreds, ClientID: "c", Salesforce: sf},
			"kind oauth2_client_credentials needs client_secret\nsalesforce serves the client-credentials flow on the org's My Domain only: set login to https://NAME.my.salesforce.com"},
		{"unknown mode", Profile{Kind: KindBasic, Mode: "shared"}, `unknown mode "shared" (known: pre_authorized, per_user)`},
		{"base_url not absolute", Profile{Kind: KindBearer, Secret: sec, BaseURL: "/api"}, `base_url "/api": not an absolute URL`},
		{"base_url with credentials", Profile{Kind: KindBearer, Secret: sec, BaseURL: "https://u:p@api.example"}, "base_url: credentials do not belong in a URL"},
		{"base_url with a query", Profile{Kind: KindBearer, Secret: sec, BaseURL: "https://api.example/v1?key=x"},
			`base_url "https://api.example/v1?key=x": must not have a query or fragment (node paths are appended to it)`},
		{"base_url with a fragment", Profile{Kind: KindBearer, Secret: sec, BaseURL: "https://api.example/v1#"},
			`base_url "https://api.example/v1#": must not have a query or fragment (node paths are appended to it)`},
		{"refresh url checked", Profile{Kind: KindOAuth2, Mode: ModePreAuthorized, ClientID: "c", ClientSecret: sec, Salesforce: sf,
			RefreshTokenURL: "http://idp.example/refresh"}, `refresh_token_url "http://idp.example/refresh": must be https (http only for 127.0.0.1 or localhost)`},
		{"loopback http allowed", Profile{Kind: KindBearer, Secret: sec, BaseURL: "http://127.0.0.1:9000"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ""
			if err := tc.p.Validate(); err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("Validate() = %q; want %q", got, tc.want)
			}
		})
	}
}
