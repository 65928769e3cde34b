package web

import (
	"net/http"
	"sync"
)

// deskCSP is the Content-Security-Policy of the agent desk: the page's
// own script and style only, and requests and sockets to its own origin.
const deskCSP = demoCSP

// deskRoutes are the agent desk's files. The desk's HTTP API and its
// WebSocket (under /desk/api/ and at /desk/ws) are served by package desk.
// The script and style sheet are revalidated on every load, so agents get
// a new version of the desk as soon as it is deployed.
var deskRoutes = map[string]route{
	"/desk/":         {file: "static/desk.html", ctype: "text/html; charset=utf-8", cache: cachePage, csp: deskCSP},
	"/desk/desk.js":  {file: "static/desk.js", ctype: "text/javascript; charset=utf-8", cache: cachePage},
	"/desk/desk.css": {file: "static/desk.css", ctype: "text/css; charset=utf-8", cache: cachePage},
}

var loadDeskAssets = sync.OnceValues(func() (map[string]*asset, error) { return readAssets(deskRoutes) })

// DeskHandler returns the handler for the agent desk's page: "/desk/" (the
// page: sign-in form, then the desk), "/desk/desk.js" and "/desk/desk.css".
// It answers GET and HEAD, honours If-None-Match with 304 and answers
// every other path with 404. Mount it at "/desk/"; the desk's more specific
// "/desk/api/" and "/desk/ws" patterns take their own requests.
func DeskHandler() http.Handler {
	assets, err := loadDeskAssets()
	if err != nil {
		panic(err) // compiled-in files; TestEveryAssetIsRouted catches a mismatch
	}
	return assetHandler(assets)
}
