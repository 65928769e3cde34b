package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"sync"
	"time"
)

//go:embed static
var static embed.FS

// Cache policies. The widget's URL carries no version, so a host page that
// embeds it keeps a copy for a few minutes and then revalidates it with the
// ETag; the demo page is always revalidated.
const (
	cacheAsset = "public, max-age=300"
	cachePage  = "no-cache"
)

// demoCSP is the Content-Security-Policy of the demo page. The widget must
// work under it: no inline script or style, no eval, sockets only to the
// page's own origin.
const demoCSP = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// asset is one embedded file, ready to serve.
type asset struct {
	name  string // file name, used by http.ServeContent for logging only
	body  []byte
	ctype string
	cache string
	etag  string // strong ETag, quoted
	// embeddable assets are fetched by host pages on other origins.
	embeddable bool
	csp        string
}

// route says which embedded file a path serves and how.
type route struct {
	file       string
	ctype      string
	cache      string
	embeddable bool
	csp        string
}

// routes maps a request path to the embedded file it serves and how.
var routes = map[string]route{
	"/":           {file: "static/index.html", ctype: "text/html; charset=utf-8", cache: cachePage, csp: demoCSP},
	"/widget.js":  {file: "static/widget.js", ctype: "text/javascript; charset=utf-8", cache: cacheAsset, embeddable: true},
	"/widget.css": {file: "static/widget.css", ctype: "text/css; charset=utf-8", cache: cacheAsset, embeddable: true},
	"/demo.css":   {file: "static/demo.css", ctype: "text/css; charset=utf-8", cache: cacheAsset},
}

var loadAssets = sync.OnceValues(func() (map[string]*asset, error) { return readAssets(routes) })

// readAssets reads the embedded file of every route and hashes it.
func readAssets(table map[string]route) (map[string]*asset, error) {
	out := make(map[string]*asset, len(table))
	for path, r := range table {
		body, err := fs.ReadFile(static, r.file)
		if err != nil {
			return nil, fmt.Errorf("web: read embedded %s: %w", r.file, err)
		}
		sum := sha256.Sum256(body)
		out[path] = &asset{
			name:       r.file,
			body:       body,
			ctype:      r.ctype,
			cache:      r.cache,
			etag:       `"` + hex.EncodeToString(sum[:12]) + `"`,
			embeddable: r.embeddable,
			csp:        r.csp,
		}
	}
	return out, nil
}

// ETag returns the ETag that Handler sends for path ("/widget.js", …), or
// "" when Handler does not serve path. A host can use it to build a
// versioned URL or to check a deployment.
func ETag(path string) string {
	assets, err := loadAssets()
	if err != nil {
		return ""
	}
	if a, ok := assets[path]; ok {
		return a.etag
	}
	return ""
}

// Handler returns the handler for the widget's assets: "/" (the demo page
// and its "/demo.css"), "/widget.js" and "/widget.css". It answers GET and HEAD, honours
// If-None-Match with 304, and answers every other path with 404. Mount it
// at the root of the bot's origin, next to the WebSocket channel's "/ws".
func Handler() http.Handler {
	assets, err := loadAssets()
	if err != nil {
		// The files are compiled in; this only happens if the embed
		// directive and the route table disagree, which a test catches.
		panic(err)
	}
	return assetHandler(assets)
}

// assetHandler serves the assets by request path.
func assetHandler(assets map[string]*asset) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := assets[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.ctype)
		h.Set("Cache-Control", a.cache)
		h.Set("ETag", a.etag)
		h.Set("X-Content-Type-Options", "nosniff")
		if a.embeddable {
			// Host pages on any origin load these files, possibly with
			// crossorigin/integrity attributes or under COEP.
			h.Set("Access-Control-Allow-Origin", "*")
			h.Set("Cross-Origin-Resource-Policy", "cross-origin")
		}
		if a.csp != "" {
			h.Set("Content-Security-Policy", a.csp)
			h.Set("Referrer-Policy", "no-referrer")
		}
		http.ServeContent(w, r, a.name, time.Time{}, bytes.NewReader(a.body))
	})
}
