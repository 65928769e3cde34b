package sfsim

import (
	"slices"
	"strings"
	"testing"
)

func TestWithCallbackURLs(t *testing.T) {
	fixtureURLs := []string{"http://localhost:8080/oauth/callback", "http://127.0.0.1:8080/oauth/callback"}
	tests := []struct {
		name    string
		urls    []string
		want    []string
		wantErr string
	}{
		{"none", nil, fixtureURLs, ""},
		{"one", []string{"http://127.0.0.1:9090/oauth/callback"},
			append(slices.Clone(fixtureURLs), "http://127.0.0.1:9090/oauth/callback"), ""},
		{"known and repeated", []string{fixtureURLs[0], "https://bot.example.com/oauth/callback", "https://bot.example.com/oauth/callback"},
			append(slices.Clone(fixtureURLs), "https://bot.example.com/oauth/callback"), ""},
		{"relative", []string{"/oauth/callback"}, nil, "not absolute"},
		{"fragment", []string{"http://127.0.0.1:9090/cb#x"}, nil, "fragment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(WithCallbackURLs(tt.urls...))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("New(WithCallbackURLs(%q)) error = %v; want one containing %q", tt.urls, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Org().Apps[0].CallbackURLs; !slices.Equal(got, tt.want) {
				t.Errorf("callback URLs = %q; want %q", got, tt.want)
			}
		})
	}
}

func TestWithCallbackURLsNeedsAnApp(t *testing.T) {
	fx := &Fixture{Users: []FixtureUser{{Username: "u@x.example"}}}
	_, err := New(WithFixture(fx), WithCallbackURLs("http://127.0.0.1:9090/oauth/callback"))
	if err == nil || !strings.Contains(err.Error(), "no connected app") {
		t.Errorf("New without apps = %v; want an error saying the org has no connected app", err)
	}
}
