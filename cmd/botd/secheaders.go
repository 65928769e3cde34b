package main

import "net/http"

// embeddable are the paths host pages on other origins load (the widget):
// no framing header, which would mean nothing for them anyway.
var embeddable = map[string]bool{"/widget.js": true, "/widget.css": true}

// hstsValue asks browsers to use https for a year; it leaves subdomains to
// the domain's owner.
const hstsValue = "max-age=31536000"

// secure sets the security headers that apply to every answer:
// X-Content-Type-Options always; X-Frame-Options DENY except on the
// widget's files (the demo page and OAuth pages also say frame-ancestors
// 'none' in their CSP); HSTS when -public-url is https.
func (e *edge) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		if !embeddable[r.URL.Path] {
			h.Set("X-Frame-Options", "DENY")
		}
		if e.hsts {
			h.Set("Strict-Transport-Security", hstsValue)
		}
		next.ServeHTTP(w, r)
	})
}
