package main

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/botforge/dialogd/sfsim"
	"github.com/botforge/dialogd/web"
)

// sfDemoPagePath is the demo page of the Salesforce demo bot.
const sfDemoPagePath = "/salesforce"

// pairPageCSP is the policy of the two demo pages: web's demo page policy
// (the widget works under it; no inline script or style).
const pairPageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

//go:embed demopage_pair.html
var pairPageSource string

var pairPage = template.Must(template.New("demopage_pair.html").Funcs(template.FuncMap{
	"last": func(i int, list []string) bool { return i == len(list)-1 },
}).Parse(pairPageSource))

// pairPageLink is one entry of the pages' navigation.
type pairPageLink struct{ Path, Label string }

// pairPageData is what one of the two demo pages shows.
type pairPageData struct {
	Path     string         // this page's path
	Pages    []pairPageLink // both pages
	Title    string         // the heading and the widget's title
	Bot      web.DemoBot
	BotParam string                 // data-bot: empty for the default bot
	SignIn   *sfsim.DemoCredentials // the Salesforce page's demo sign-in
	Also     *pairPageLink          // the first page's pointer to the Salesforce page
}

// demoPages serves the demo page at "/" and the widget's files. With the
// Salesforce demo on, "/" names the demo bot and links to
// sfDemoPagePath, which talks to the Salesforce demo bot and shows the
// emulated org's demo-only sign-in and what to try.
func (s *server) demoPages() http.Handler {
	assets := web.DemoHandler(demoPageBot(s.first.bot))
	if s.sfdemo == nil || s.tenants[sfDemoBotName] == nil {
		return assets
	}
	pages := []pairPageLink{{"/", "Lead demo (no sign-in)"}, {sfDemoPagePath, "Salesforce, the whole catalogue"}}
	demo := demoPageBot(s.first.bot)
	first := renderPairPage(pairPageData{Path: "/", Pages: pages, Title: demo.Name, Bot: demo, Also: &pages[1]})
	creds := s.sfdemo.creds
	sf := renderPairPage(pairPageData{Path: sfDemoPagePath, Pages: pages, Title: "Salesforce demo", Bot: demoPageBot(s.tenants[sfDemoBotName].bot),
		BotParam: sfDemoBotName, SignIn: &creds})
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", first)
	mux.Handle("GET "+sfDemoPagePath, sf)
	mux.Handle("/", assets)
	return mux
}

// renderPairPage renders one demo page once and serves it with web's
// demo page headers.
func renderPairPage(d pairPageData) http.Handler {
	var buf bytes.Buffer
	if err := pairPage.Execute(&buf, d); err != nil {
		// The template is compiled in and takes only strings: a bug the
		// tests catch.
		panic(fmt.Errorf("botd: demo page: %w", err))
	}
	body := buf.Bytes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		h.Set("Content-Security-Policy", pairPageCSP)
		h.Set("Referrer-Policy", "no-referrer")
		http.ServeContent(w, r, "demo.html", time.Time{}, bytes.NewReader(body))
	})
}
