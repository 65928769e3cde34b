package web

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/http"
	"time"
)

// DemoBot is what the demo page says about the bot it talks to.
type DemoBot struct {
	// Name is the bot's name: the page's heading and the widget's title.
	Name string
	// Description is one sentence under the heading; may be empty.
	Description string
	// Lang is the page's language (BCP 47, e.g. "en"); empty is "en".
	Lang string
	// Tasks are the titles of the tasks the page suggests trying.
	Tasks []string
}

//go:embed demo.html
var demoPageSource string

var demoPage = template.Must(template.New("demo.html").Funcs(template.FuncMap{
	"last": func(i int, list []string) bool { return i == len(list)-1 },
}).Parse(demoPageSource))

// DemoHandler is [Handler] with a demo page at "/" that names bot and
// suggests its tasks, for a server that knows which bot the page's widget
// talks to. The page has the headers and cache policy of Handler's "/".
func DemoHandler(bot DemoBot) http.Handler {
	if bot.Lang == "" {
		bot.Lang = "en"
	}
	var buf bytes.Buffer
	if err := demoPage.Execute(&buf, bot); err != nil {
		// The template is compiled in and takes only strings; this is a
		// bug in it, which the tests catch.
		panic(fmt.Errorf("web: demo page: %w", err))
	}
	body := buf.Bytes()
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	assets := Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" || r.Method != http.MethodGet && r.Method != http.MethodHead {
			assets.ServeHTTP(w, r) // other files, and the 405 answer
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", cachePage)
		h.Set("ETag", etag)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", demoCSP)
		h.Set("Referrer-Policy", "no-referrer")
		http.ServeContent(w, r, "demo.html", time.Time{}, bytes.NewReader(body))
	})
}
