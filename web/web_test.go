package web

import (
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func serve(method, path string, header map[string]string) *httptest.ResponseRecorder {
	return serveWith(Handler(), method, path, header)
}

// serveWith answers one request with h.
func serveWith(h http.Handler, method, path string, header map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, nil)
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestHandler(t *testing.T) {
	tests := []struct {
		name, method, path string
		wantStatus         int
		wantType           string
		wantCache          string
		wantBody           string // a substring of the body
	}{
		{"demo page", "GET", "/", 200, "text/html; charset=utf-8", "no-cache", "<title>Chat · dialogd demo</title>"},
		{"demo page embeds widget", "GET", "/", 200, "text/html; charset=utf-8", "no-cache", `<script src="widget.js"`},
		{"widget script", "GET", "/widget.js", 200, "text/javascript; charset=utf-8", "public, max-age=300", "window.DialogdWidget"},
		{"widget style", "GET", "/widget.css", 200, "text/css; charset=utf-8", "public, max-age=300", ".dlgd-root"},
		{"demo style", "GET", "/demo.css", 200, "text/css; charset=utf-8", "public, max-age=300", ".demo"},
		{"head has no body", "HEAD", "/widget.js", 200, "text/javascript; charset=utf-8", "public, max-age=300", ""},
		{"unknown path", "GET", "/static/widget.js", 404, "text/plain; charset=utf-8", "", "404 page not found"},
		{"index.html is not a route", "GET", "/index.html", 404, "text/plain; charset=utf-8", "", "404 page not found"},
		{"post", "POST", "/widget.js", 405, "text/plain; charset=utf-8", "", "method not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(tt.method, tt.path, nil)
			if w.Code != tt.wantStatus {
				t.Errorf("%s %s status = %d; want %d", tt.method, tt.path, w.Code, tt.wantStatus)
			}
			if got := w.Header().Get("Content-Type"); got != tt.wantType {
				t.Errorf("%s %s Content-Type = %q; want %q", tt.method, tt.path, got, tt.wantType)
			}
			if got := w.Header().Get("Cache-Control"); got != tt.wantCache {
				t.Errorf("%s %s Cache-Control = %q; want %q", tt.method, tt.path, got, tt.wantCache)
			}
			if !strings.Contains(w.Body.String(), tt.wantBody) {
				t.Errorf("%s %s body does not contain %q", tt.method, tt.path, tt.wantBody)
			}
			if tt.method == "HEAD" && w.Body.Len() != 0 {
				t.Errorf("HEAD %s body has %d bytes; want none", tt.path, w.Body.Len())
			}
		})
	}
}

func TestHandlerETag(t *testing.T) {
	for _, path := range []string{"/", "/widget.js", "/widget.css", "/demo.css"} {
		t.Run(path, func(t *testing.T) {
			first := serve("GET", path, nil)
			etag := first.Header().Get("ETag")
			if !regexp.MustCompile(`^"[0-9a-f]{24}"$`).MatchString(etag) {
				t.Fatalf("ETag = %q; want a quoted content hash", etag)
			}
			if got := ETag(path); got != etag {
				t.Errorf("ETag(%q) = %q; want the header value %q", path, got, etag)
			}
			again := serve("GET", path, map[string]string{"If-None-Match": etag})
			if again.Code != http.StatusNotModified || again.Body.Len() != 0 {
				t.Errorf("GET with If-None-Match = %d, %d bytes; want 304 and no body", again.Code, again.Body.Len())
			}
			other := serve("GET", path, map[string]string{"If-None-Match": `"0000"`})
			if other.Code != http.StatusOK {
				t.Errorf("GET with a stale ETag = %d; want 200", other.Code)
			}
		})
	}
	if got := ETag("/nope"); got != "" {
		t.Errorf("ETag(%q) = %q; want \"\"", "/nope", got)
	}
	if ETag("/widget.js") == ETag("/widget.css") {
		t.Error("widget.js and widget.css have the same ETag; want content hashes")
	}
}

func TestHandlerSecurityHeaders(t *testing.T) {
	tests := []struct {
		path, header, want string
	}{
		{"/widget.js", "Access-Control-Allow-Origin", "*"},
		{"/widget.js", "Cross-Origin-Resource-Policy", "cross-origin"},
		{"/widget.css", "Access-Control-Allow-Origin", "*"},
		{"/widget.js", "X-Content-Type-Options", "nosniff"},
		{"/", "X-Content-Type-Options", "nosniff"},
		{"/", "Content-Security-Policy", demoCSP},
		{"/", "Access-Control-Allow-Origin", ""},
		{"/demo.css", "Access-Control-Allow-Origin", ""},
	}
	for _, tt := range tests {
		if got := serve("GET", tt.path, nil).Header().Get(tt.header); got != tt.want {
			t.Errorf("GET %s %s = %q; want %q", tt.path, tt.header, got, tt.want)
		}
	}
}

// TestEveryAssetIsRouted keeps the embed directive and the route table in
// step: a file in static/ that no path serves is dead weight or a typo.
func TestEveryAssetIsRouted(t *testing.T) {
	routed := map[string]bool{}
	for _, table := range []map[string]route{routes, deskRoutes} {
		for _, r := range table {
			routed[r.file] = true
		}
	}
	err := fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !routed[p] {
			t.Errorf("embedded file %s is not served by any route", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestWidgetSourceRules checks rules the browser test cannot see in one
// run: server text never goes through an HTML parser, nothing is
// evaluated, and every style rule is scoped to the widget.
func TestWidgetSourceRules(t *testing.T) {
	js, err := fs.ReadFile(static, "static/widget.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, banned := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "setAttribute('style'", "Math.random().toString"} {
		if strings.Contains(string(js), banned) {
			t.Errorf("widget.js contains %q; want text-only DOM updates and crypto ids", banned)
		}
	}
	if !strings.Contains(string(js), "crypto.getRandomValues") {
		t.Error("widget.js does not use crypto.getRandomValues for client ids")
	}

	css, err := fs.ReadFile(static, "static/widget.css")
	if err != nil {
		t.Fatal(err)
	}
	sels, err := cssSelectors(string(css))
	if err != nil {
		t.Fatal(err)
	}
	if len(sels) < 20 {
		t.Fatalf("found %d selectors in widget.css; the parser is probably broken", len(sels))
	}
	for _, s := range sels {
		if !strings.HasPrefix(s, ".dlgd-root") {
			t.Errorf("widget.css selector %q is not scoped under .dlgd-root", s)
		}
	}
}

// cssSelectors returns the style-rule selectors of a simple style sheet:
// comments are dropped, @media and @supports blocks are entered, and
// @keyframes blocks are skipped.
func cssSelectors(css string) ([]string, error) {
	css = regexp.MustCompile(`(?s)/\*.*?\*/`).ReplaceAllString(css, "")
	var out []string
	depth, skipAt := 0, -1
	start := 0
	for i, c := range css {
		switch c {
		case '{':
			head := strings.TrimSpace(css[start:i])
			switch {
			case skipAt >= 0:
			case strings.HasPrefix(head, "@keyframes"):
				skipAt = depth
			case strings.HasPrefix(head, "@media"), strings.HasPrefix(head, "@supports"):
			default:
				for _, s := range strings.Split(head, ",") {
					out = append(out, strings.Join(strings.Fields(s), " "))
				}
			}
			depth++
			start = i + 1
		case '}':
			depth--
			if depth < 0 {
				return nil, fmt.Errorf("unbalanced } at byte %d", i)
			}
			if depth == skipAt {
				skipAt = -1
			}
			start = i + 1
		case ';':
			start = i + 1
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("unbalanced braces: depth %d at end", depth)
	}
	return out, nil
}

// FuzzHandler checks that no request line or conditional header makes the
// handler panic or answer with a status outside the small set it uses.
func FuzzHandler(f *testing.F) {
	f.Add("GET", "/widget.js", "", "")
	f.Add("HEAD", "/", `"abc"`, "")
	f.Add("GET", "/widget.css", "*", "bytes=0-10")
	f.Add("DELETE", "/../etc/passwd", "", "bytes=5-1")
	f.Add("GET", "//widget.js", "W/\"x\", \"y\"", "bytes=-1,0-0,9999999999-")
	etag := ETag("/widget.js")
	f.Add("GET", "/widget.js", etag, "bytes=0-0")
	f.Fuzz(func(t *testing.T, method, path, inm, rng string) {
		r := &http.Request{Method: method, URL: &url.URL{Path: path}, Header: http.Header{}, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
		if inm != "" {
			r.Header.Set("If-None-Match", inm)
		}
		if rng != "" {
			r.Header.Set("Range", rng)
		}
		w := httptest.NewRecorder()
		Handler().ServeHTTP(w, r)
		switch w.Code {
		case 200, 206, 304, 404, 405, 416:
		default:
			t.Fatalf("%s %q (If-None-Match %q, Range %q) = %d; want one of 200 206 304 404 405 416", method, path, inm, rng, w.Code)
		}
		if _, known := routes[path]; !known && w.Code != 404 {
			t.Fatalf("%s %q = %d; want 404 for an unknown path", method, path, w.Code)
		}
	})
}

func BenchmarkHandlerWidgetJS(b *testing.B) {
	h := Handler()
	size := len(serve("GET", "/widget.js", nil).Body.Bytes())
	etag := ETag("/widget.js")
	b.Run("full", func(b *testing.B) {
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for b.Loop() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest("GET", "/widget.js", nil))
			if w.Code != 200 {
				b.Fatalf("status %d", w.Code)
			}
		}
		// After the loop: b.Loop's reset clears metrics reported before it.
		b.ReportMetric(float64(size), "widget-bytes")
	})
	b.Run("not-modified", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			w := httptest.NewRecorder()
			r := httptest.NewRequest("GET", "/widget.js", nil)
			r.Header.Set("If-None-Match", etag)
			h.ServeHTTP(w, r)
			if w.Code != 304 {
				b.Fatalf("status %d", w.Code)
			}
		}
	})
}

func ExampleHandler() {
	srv := httptest.NewServer(Handler())
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/widget.js")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"))
	fmt.Println(resp.Header.Get("ETag") == ETag("/widget.js"))
	// Output:
	// 200 text/javascript; charset=utf-8
	// true
}
