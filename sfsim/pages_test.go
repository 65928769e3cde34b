package sfsim

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestPagesEscapeInputAndForbidFraming(t *testing.T) {
	s, _, _ := newOAuthServer(t)
	const evil = `"><script>alert(1)</script>`
	tests := []struct {
		name  string
		query url.Values
		want  int
		must  string // escaped form that must appear
	}{
		{"login_hint on the login page",
			url.Values{"response_type": {"code"}, "client_id": {webKey}, "redirect_uri": {callbackURL}, "login_hint": {evil}},
			http.StatusOK, `value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"`},
		{"error page for an unknown client",
			url.Values{"client_id": {evil}, "redirect_uri": {callbackURL}},
			http.StatusBadRequest, "error=invalid_client_id"},
	}
	for _, tt := range tests {
		rec := serve(s, http.MethodGet, "/services/oauth2/authorize", "", tt.query, nil)
		body := rec.Body.String()
		if rec.Code != tt.want {
			t.Errorf("%s: status %d; want %d", tt.name, rec.Code, tt.want)
		}
		if strings.Contains(body, "<script>") {
			t.Errorf("%s: page contains the raw script:\n%s", tt.name, body)
		}
		if !strings.Contains(body, tt.must) {
			t.Errorf("%s: page lacks %q:\n%s", tt.name, tt.must, body)
		}
		for h, v := range map[string]string{"X-Frame-Options": "DENY", "Content-Type": "text/html;charset=UTF-8"} {
			if got := rec.Header().Get(h); got != v {
				t.Errorf("%s: %s = %q; want %q", tt.name, h, got, v)
			}
		}
	}
}
