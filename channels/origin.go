package channels

import (
	"net/http"
	"net/url"
	"strings"
)

// originChecker returns the Upgrader.CheckOrigin for an allowlist of
// origins, or, for an empty allowlist, the same-origin check. publicURL
// (Options.PublicURL, may be empty) gives the scheme pages are served
// with, for a server behind a TLS-terminating proxy.
func originChecker(allowed []string, publicURL string) func(*http.Request) bool {
	if len(allowed) == 0 {
		return sameOrigin(publicScheme(publicURL))
	}
	set := make(map[string]bool, len(allowed))
	for _, o := range allowed {
		if o == "*" {
			return func(*http.Request) bool { return true }
		}
		set[strings.ToLower(strings.TrimSuffix(o, "/"))] = true
	}
	return func(r *http.Request) bool {
		origin := r.Header.Get("Origin")
		if origin == "" {
			return true // not a browser; see Options.AllowedOrigins
		}
		return set[strings.ToLower(origin)]
	}
}

// sameOrigin accepts an Origin whose scheme is the scheme the server's
// pages are served with and whose host[:port] is the request's Host.
// The scheme is scheme (from Options.PublicURL) when set, else https for
// a TLS connection and http for a plain one. Unlike gorilla's default
// check, http://host and ftp://host do not pass for https://host.
func sameOrigin(scheme string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		origin := r.Header.Get("Origin")
		if origin == "" {
			return true // not a browser; see Options.AllowedOrigins
		}
		u, err := url.Parse(origin)
		if err != nil || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" {
			return false
		}
		want := scheme
		if want == "" {
			want = "http"
			if r.TLS != nil {
				want = "https"
			}
		}
		return strings.EqualFold(u.Scheme, want) && strings.EqualFold(u.Host, r.Host)
	}
}

// publicScheme is the scheme of a public base URL ("http" or "https"),
// "" when the URL is empty or has another scheme.
func publicScheme(publicURL string) string {
	u, err := url.Parse(publicURL)
	if err != nil {
		return ""
	}
	switch s := strings.ToLower(u.Scheme); s {
	case "http", "https":
		return s
	}
	return ""
}
