package web

import (
	"bytes"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// genericDemoBot is the bot the static demo page (Handler's "/") is the
// DemoHandler page of: a server that does not say which bot it serves.
var genericDemoBot = DemoBot{Name: "Chat"}

var updateIndex = os.Getenv("UPDATE_INDEX") != ""

func serveDemo(bot DemoBot, method, path string, header map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, nil)
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	DemoHandler(bot).ServeHTTP(w, r)
	return w
}

func TestDemoHandlerPage(t *testing.T) {
	sales := DemoBot{Name: "salesforce", Description: "Creates Salesforce leads and cases.", Lang: "en",
		Tasks: []string{"Open a case", "Create a lead", "My open cases"}}
	tests := []struct {
		name     string
		bot      DemoBot
		want     []string // substrings of the page
		dontWant []string
	}{
		{"three tasks", sales, []string{
			"<title>salesforce · dialogd demo</title>", "<h1>salesforce</h1>", "Creates Salesforce leads and cases.",
			"Try <em>Open a case</em>, <em>Create a lead</em> or <em>My open cases</em> in the chat window.",
			`<script src="widget.js" data-title="salesforce" data-open="true" async>`, `<html lang="en">`,
		}, []string{"<h1>dialogd demo", "Try <em>Create a lead</em> in"}},
		{"one task, other language", DemoBot{Name: "leads", Lang: "de", Tasks: []string{"Lead anlegen"}},
			[]string{`<html lang="de">`, "Try <em>Lead anlegen</em> in the chat window."}, []string{`class="demo-lead"`}},
		{"no tasks", DemoBot{Name: "echo"}, []string{`<html lang="en">`, "Say hello in the chat window."}, []string{"Try "}},
		{"text is escaped", DemoBot{Name: `<b>x</b>`, Description: `"quoted" & <i>`, Tasks: []string{"<script>alert(1)</script>"}},
			[]string{"<h1>&lt;b&gt;x&lt;/b&gt;</h1>", `data-title="&lt;b&gt;x&lt;/b&gt;"`, "&#34;quoted&#34; &amp; &lt;i&gt;", "<em>&lt;script&gt;alert(1)&lt;/script&gt;</em>"},
			[]string{"<b>x</b>", "<script>alert"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serveDemo(tt.bot, "GET", "/", nil)
			body := w.Body.String()
			if w.Code != http.StatusOK {
				t.Fatalf("GET / = %d; want 200", w.Code)
			}
			for _, s := range tt.want {
				if !strings.Contains(body, s) {
					t.Errorf("page does not contain %q:\n%s", s, body)
				}
			}
			for _, s := range tt.dontWant {
				if strings.Contains(body, s) {
					t.Errorf("page contains %q; want it not to:\n%s", s, body)
				}
			}
		})
	}
}

// TestDemoHandlerServes checks that DemoHandler answers like Handler: the
// same headers on its page, the other files unchanged, 304 for a known
// ETag, 405 for other methods, 404 for unknown paths.
func TestDemoHandlerServes(t *testing.T) {
	bot := DemoBot{Name: "demo", Tasks: []string{"Create a lead"}}
	page := serveDemo(bot, "GET", "/", nil)
	for _, h := range []string{"Content-Type", "Cache-Control", "X-Content-Type-Options", "Content-Security-Policy", "Referrer-Policy"} {
		if got, want := page.Header().Get(h), serve("GET", "/", nil).Header().Get(h); got != want || got == "" {
			t.Errorf("demo page %s = %q; want %q, as Handler's page", h, got, want)
		}
	}
	etag := page.Header().Get("ETag")
	if etag == "" || etag == ETag("/") {
		t.Errorf("demo page ETag = %q; want a hash of this page (Handler's page has %q)", etag, ETag("/"))
	}
	tests := []struct {
		method, path string
		header       map[string]string
		want         int
	}{
		{"GET", "/", map[string]string{"If-None-Match": etag}, http.StatusNotModified},
		{"HEAD", "/", nil, http.StatusOK},
		{"POST", "/", nil, http.StatusMethodNotAllowed},
		{"GET", "/widget.js", nil, http.StatusOK},
		{"GET", "/demo.css", nil, http.StatusOK},
		{"GET", "/index.html", nil, http.StatusNotFound},
	}
	for _, tt := range tests {
		w := serveDemo(bot, tt.method, tt.path, tt.header)
		if w.Code != tt.want {
			t.Errorf("%s %s = %d; want %d", tt.method, tt.path, w.Code, tt.want)
		}
		if tt.path == "/widget.js" && !bytes.Equal(w.Body.Bytes(), serve("GET", "/widget.js", nil).Body.Bytes()) {
			t.Errorf("GET /widget.js through DemoHandler differs from Handler's")
		}
	}
}

// TestStaticIndexIsGenericDemoPage keeps static/index.html (Handler's
// page, for servers that do not say which bot they serve) the DemoHandler
// page of a bot without tasks, so the two pages cannot drift apart.
// UPDATE_INDEX=1 go test -run TestStaticIndex ./web/ rewrites it.
func TestStaticIndexIsGenericDemoPage(t *testing.T) {
	want := serveDemo(genericDemoBot, "GET", "/", nil).Body.Bytes()
	if updateIndex {
		if err := os.WriteFile("static/index.html", want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := fs.ReadFile(static, "static/index.html")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) && !updateIndex {
		t.Errorf("static/index.html is not the demo page of %+v; run UPDATE_INDEX=1 go test -run TestStaticIndex ./web/\ngot:\n%s\nwant:\n%s", genericDemoBot, got, want)
	}
}
