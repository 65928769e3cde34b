package sfsim

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
)

// WithCallbackURLs adds urls to the callback URLs of the org's first
// connected app (in the demo org, "Dialogd Bot"), after the org is seeded
// or loaded from the data file, so a client on any address can use the
// authorization code flow without a fixture of its own. Each url must be
// absolute; one the app allows already is not added twice.
func WithCallbackURLs(urls ...string) Option {
	return func(c *config) { c.callbackURLs = append(c.callbackURLs, urls...) }
}

// allowCallbacks adds urls to the first connected app's callback URLs.
func (s *Server) allowCallbacks(urls []string) error {
	if len(urls) == 0 {
		return nil
	}
	s.lock()
	defer s.unlock()
	if len(s.org.Apps) == 0 {
		return errors.New("sfsim: callback URLs given, but the org has no connected app")
	}
	app := s.org.Apps[0]
	for _, u := range urls {
		if err := checkCallbackURL(u); err != nil {
			return err
		}
		if !slices.Contains(app.CallbackURLs, u) {
			app.CallbackURLs = append(app.CallbackURLs, u)
		}
	}
	return nil
}

// checkCallbackURL accepts an absolute URL without a fragment, as
// Salesforce does for a connected app's callback URL.
func checkCallbackURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("sfsim: callback URL %q: %w", raw, err)
	}
	if u.Scheme == "" || u.Host == "" && u.Opaque == "" {
		return fmt.Errorf("sfsim: callback URL %q is not absolute (want e.g. http://127.0.0.1:9090/oauth/callback)", raw)
	}
	if u.Fragment != "" {
		return fmt.Errorf("sfsim: callback URL %q has a fragment", raw)
	}
	return nil
}
