package main

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// openedFromChat reports whether an authorize link's first open comes
// from a page the chat lives on: botd's own pages, or a host page the
// widget may run on (-allowed-origins). Browsers say where a navigation
// came from in Sec-Fetch-Site and Referer (the widget's popup sends the
// page's origin under the default referrer policy); a link pasted into an
// address bar, or followed from an e-mail or another site, is refused.
func (s *server) openedFromChat(r *http.Request) bool {
	if r.Header.Get("Sec-Fetch-Site") == "same-origin" {
		return true
	}
	ref, err := url.Parse(r.Referer())
	if err != nil || ref.Host == "" || (ref.Scheme != "http" && ref.Scheme != "https") {
		return false
	}
	origin := strings.ToLower(ref.Scheme + "://" + ref.Host)
	if pub, err := url.Parse(s.cfg.PublicURL); err == nil && pub.Host != "" && origin == strings.ToLower(pub.Scheme+"://"+pub.Host) {
		return true
	}
	return slices.ContainsFunc(s.cfg.AllowedOrigins, func(o string) bool {
		return strings.EqualFold(strings.TrimSuffix(o, "/"), origin)
	})
}
