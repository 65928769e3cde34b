package main

import (
	"bytes"
	"context"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/templates"
	"github.com/botforge/dialogd/web/browsertest"
)

var flowPNG = flag.String("flow-png", "", "write a screenshot of the rendered create_lead flow to this file")

// TestFlowDiagramsRender parses the diagram of every template (as
// templates show prints it) and of every task of the example bots (as
// botctl flow prints it) with mermaid's own parser, in headless
// Chromium, and renders the tricky one to check its labels read as
// written.
func TestFlowDiagramsRender(t *testing.T) {
	browsertest.SkipShort(t)
	diagrams := map[string]string{}
	for _, info := range templates.List() {
		diagrams["templates show "+info.Name] = showDiagram(t, info.Name)
	}
	for _, dir := range exampleBots(t) {
		bot, err := dialog.LoadDir(dir)
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		for _, name := range bot.TaskNames() {
			var out, errOut bytes.Buffer
			if code := run([]string{"flow", dir, name}, &out, &errOut); code != 0 {
				t.Fatalf("botctl flow %s %s: exit %d: %s", dir, name, code, &errOut)
			}
			diagrams["flow "+dir+" "+name] = out.String()
		}
	}
	if len(diagrams) < 30 {
		t.Fatalf("only %d diagrams: the catalogue or the examples went missing", len(diagrams))
	}
	ctx := browsertest.New(t, 2*time.Minute)
	browsertest.LoadMermaid(t, ctx)
	if msg := browsertest.MermaidParse(t, ctx, "stateDiagram-v2\n    a-b --> c\n"); msg == "" {
		t.Fatal("mermaid.parse accepted a state id with a dash: it is not checking anything")
	}
	for _, name := range slices.Sorted(maps.Keys(diagrams)) {
		if msg := browsertest.MermaidParse(t, ctx, diagrams[name]); msg != "" {
			t.Errorf("%s: mermaid.parse: %s\n%s", name, msg, diagrams[name])
		}
	}
	t.Logf("%d diagrams parse with mermaid %s", len(diagrams), browsertest.MermaidVersion)

	var tricky bytes.Buffer
	writeMermaid(&tricky, trickyGraph(), "ja")
	if msg := browsertest.MermaidRender(t, ctx, tricky.String()); msg != "" {
		t.Fatalf("mermaid.render: %s\n%s", msg, &tricky)
	}
	shown := browsertest.EvalJS[[]string](t, ctx, `Array.from(document.querySelectorAll('svg .nodeLabel, svg .edgeLabel'))
		.map(e => e.textContent.trim()).filter(s => s)`)
	for _, want := range trickyLabels {
		if !slices.Contains(shown, want) {
			t.Errorf("rendered diagram lacks the label %q; it shows %q", want, shown)
		}
	}
	if *flowPNG != "" {
		screenshotFlow(t, ctx, diagrams["flow ../../examples/salesforce create_lead"], *flowPNG)
	}
}

// showDiagram is the diagram in templates show's ```mermaid block.
func showDiagram(t *testing.T, name string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := run([]string{"templates", "show", name}, &out, &errOut); code != 0 {
		t.Fatalf("templates show %s: exit %d: %s", name, code, &errOut)
	}
	_, block, ok := strings.Cut(out.String(), "```mermaid\n")
	block, _, closed := strings.Cut(block, "```\n")
	if !ok || !closed {
		t.Fatalf("templates show %s prints no ```mermaid block:\n%s", name, &out)
	}
	return block
}

// exampleBots are the bot directories under examples/.
func exampleBots(t *testing.T) []string {
	t.Helper()
	matches, err := filepath.Glob("../../examples/*/bot.yaml")
	if err != nil || len(matches) == 0 {
		t.Fatalf("no example bots: %v", err)
	}
	var dirs []string
	for _, m := range matches {
		dirs = append(dirs, filepath.Dir(m))
	}
	return dirs
}

// screenshotFlow renders a diagram alone on the page and saves a
// screenshot of it.
func screenshotFlow(t *testing.T, ctx context.Context, diagram, path string) {
	t.Helper()
	if msg := browsertest.MermaidRender(t, ctx, diagram); msg != "" {
		t.Fatalf("mermaid.render: %s", msg)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}
