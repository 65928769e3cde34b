package web

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func serveDesk(method, path string, header map[string]string) *httptest.ResponseRecorder {
	return serveWith(DeskHandler(), method, path, header)
}

func TestDeskHandler(t *testing.T) {
	tests := []struct {
		name, method, path string
		wantStatus         int
		wantType, wantCSP  string
		wantBody           string // a substring of the body
	}{
		{"page", "GET", "/desk/", 200, "text/html; charset=utf-8", deskCSP, "<title>Agent desk · dialogd</title>"},
		{"page loads its script", "GET", "/desk/", 200, "text/html; charset=utf-8", deskCSP, `<script src="desk.js" defer>`},
		{"script", "GET", "/desk/desk.js", 200, "text/javascript; charset=utf-8", "", "new WebSocket"},
		{"style", "GET", "/desk/desk.css", 200, "text/css; charset=utf-8", "", ".transcript"},
		{"head", "HEAD", "/desk/", 200, "text/html; charset=utf-8", deskCSP, ""},
		{"widget is not the desk's", "GET", "/desk/widget.js", 404, "text/plain; charset=utf-8", "", "404 page not found"},
		{"html file is not a route", "GET", "/desk/desk.html", 404, "text/plain; charset=utf-8", "", "404 page not found"},
		{"root is not the desk's", "GET", "/", 404, "text/plain; charset=utf-8", "", "404 page not found"},
		{"post", "POST", "/desk/", 405, "text/plain; charset=utf-8", "", "method not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serveDesk(tt.method, tt.path, nil)
			if w.Code != tt.wantStatus {
				t.Errorf("%s %s status = %d; want %d", tt.method, tt.path, w.Code, tt.wantStatus)
			}
			if got := w.Header().Get("Content-Type"); got != tt.wantType {
				t.Errorf("%s %s Content-Type = %q; want %q", tt.method, tt.path, got, tt.wantType)
			}
			if got := w.Header().Get("Content-Security-Policy"); got != tt.wantCSP {
				t.Errorf("%s %s Content-Security-Policy = %q; want %q", tt.method, tt.path, got, tt.wantCSP)
			}
			if !strings.Contains(w.Body.String(), tt.wantBody) {
				t.Errorf("%s %s body does not contain %q", tt.method, tt.path, tt.wantBody)
			}
			if w.Code == 200 && w.Header().Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("%s %s allows other origins; want the desk same-origin only", tt.method, tt.path)
			}
		})
	}
}

// TestDeskHandlerRevalidates checks that every desk file is revalidated
// (agents get a deployment at once) and answers its ETag with 304.
func TestDeskHandlerRevalidates(t *testing.T) {
	for _, path := range []string{"/desk/", "/desk/desk.js", "/desk/desk.css"} {
		first := serveDesk("GET", path, nil)
		if got := first.Header().Get("Cache-Control"); got != cachePage {
			t.Errorf("GET %s Cache-Control = %q; want %q", path, got, cachePage)
		}
		etag := first.Header().Get("ETag")
		if !regexp.MustCompile(`^"[0-9a-f]{24}"$`).MatchString(etag) {
			t.Fatalf("GET %s ETag = %q; want a quoted content hash", path, etag)
		}
		if again := serveDesk("GET", path, map[string]string{"If-None-Match": etag}); again.Code != http.StatusNotModified {
			t.Errorf("GET %s with its ETag = %d; want 304", path, again.Code)
		}
	}
}

// TestDeskSourceRules checks what one browser run cannot: server text
// never goes through an HTML parser, nothing is evaluated, ids are random,
// and the page loads nothing from elsewhere and nothing inline (the CSP
// would block it).
func TestDeskSourceRules(t *testing.T) {
	js, err := fs.ReadFile(static, "static/desk.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, banned := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", ".style.", "Math.random().toString"} {
		if strings.Contains(string(js), banned) {
			t.Errorf("desk.js contains %q; want text-only DOM updates, class-based styles and crypto ids", banned)
		}
	}
	page, err := fs.ReadFile(static, "static/desk.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, banned := range []string{"http:", "https:", "<style", " style=", "<script>"} {
		if strings.Contains(string(page), banned) {
			t.Errorf("desk.html contains %q; want no external assets, inline styles or inline script", banned)
		}
	}
	if h := regexp.MustCompile(`\son[a-z]+=`).FindString(string(page)); h != "" {
		t.Errorf("desk.html has an inline event handler (%q); want listeners in desk.js", h)
	}
}
