package browsertest

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// MermaidVersion is the version of the npm package mermaid whose parser
// and renderer check the flow diagrams botctl prints.
const MermaidVersion = "12.3.0"

// mermaidIntegrity is the npm registry's integrity of that version's
// tarball: a fetched tarball that does not match is refused.
const mermaidIntegrity = "sha512-4113TdXeLAsMruJ79OpFL5O8+LTFXhQqZ260rF3tgUmiNAtRm4Uume04I+65PRN6yZ69J4f8rVYWW8zRk65UYw=="

// mermaidBundle is the browser bundle inside the package.
const mermaidBundle = "package/dist/mermaid.min.js"

// MermaidJS returns the path of mermaid's browser bundle. MERMAID_JS
// names one; otherwise it is kept in the user's cache directory
// (dialogd/mermaid-VERSION/mermaid.min.js), fetched the first time with
// `npm pack` (the package alone, without its dependencies, which the
// bundle holds) and checked against the registry's integrity. Under
// -short it skips the test; without npm it fails it.
func MermaidJS(tb testing.TB) string {
	tb.Helper()
	SkipShort(tb)
	if p := os.Getenv("MERMAID_JS"); p != "" {
		return p
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "dialogd", "mermaid-"+MermaidVersion)
	path := filepath.Join(dir, "mermaid.min.js")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	if err := fetchMermaid(dir, path); err != nil {
		tb.Fatalf("install mermaid %s for the diagram tests (needs npm and the npm registry; or set MERMAID_JS to a mermaid.min.js): %v",
			MermaidVersion, err)
	}
	return path
}

// fetchMermaid packs the npm package into a temporary directory, checks
// it and writes its bundle to path.
func fetchMermaid(dir, path string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("browsertest: %w", err)
	}
	tmp, err := os.MkdirTemp(dir, "pack-")
	if err != nil {
		return fmt.Errorf("browsertest: %w", err)
	}
	defer os.RemoveAll(tmp)
	cmd := exec.Command("npm", "pack", "--silent", "--pack-destination", tmp, "mermaid@"+MermaidVersion)
	cmd.Dir = tmp
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("browsertest: npm pack mermaid@%s: %w\n%s", MermaidVersion, err, out)
	}
	tgz, err := os.ReadFile(filepath.Join(tmp, "mermaid-"+MermaidVersion+".tgz"))
	if err != nil {
		return fmt.Errorf("browsertest: %w", err)
	}
	sum := sha512.Sum512(tgz)
	if got := "sha512-" + base64.StdEncoding.EncodeToString(sum[:]); got != mermaidIntegrity {
		return fmt.Errorf("browsertest: mermaid %s tarball has integrity %s, want %s", MermaidVersion, got, mermaidIntegrity)
	}
	js, err := extractFile(tgz, filepath.Join(tmp, "tgz"), mermaidBundle)
	if err != nil {
		return err
	}
	part := filepath.Join(tmp, "mermaid.min.js")
	if err := os.WriteFile(part, js, 0o644); err != nil {
		return fmt.Errorf("browsertest: %w", err)
	}
	return os.Rename(part, path)
}

// extractFile reads one file out of a gzipped tar held in tgz (staged
// at stage to be read as a file).
func extractFile(tgz []byte, stage, name string) ([]byte, error) {
	if err := os.WriteFile(stage, tgz, 0o644); err != nil {
		return nil, fmt.Errorf("browsertest: %w", err)
	}
	f, err := os.Open(stage)
	if err != nil {
		return nil, fmt.Errorf("browsertest: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("browsertest: read mermaid tarball: %w", err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("browsertest: mermaid tarball has no %s", name)
		}
		if err != nil {
			return nil, fmt.Errorf("browsertest: read mermaid tarball: %w", err)
		}
		if h.Name == name {
			return io.ReadAll(tr)
		}
	}
}

// LoadMermaid opens an empty page in the tab ctx and loads mermaid into
// it (MermaidJS), initialised not to render anything by itself.
func LoadMermaid(tb testing.TB, ctx context.Context) {
	tb.Helper()
	js, err := os.ReadFile(MermaidJS(tb))
	if err != nil {
		tb.Fatalf("read mermaid: %v", err)
	}
	Do(tb, ctx, "load mermaid", chromedp.Navigate("about:blank"), Script(string(js)),
		Script(`mermaid.initialize({startOnLoad: false, securityLevel: 'strict'})`))
}

// MermaidParse parses a diagram with mermaid.parse in the tab
// LoadMermaid prepared and returns the parser's message, "" when the
// diagram parses.
func MermaidParse(tb testing.TB, ctx context.Context, diagram string) string {
	tb.Helper()
	src, _ := json.Marshal(diagram)
	return awaitJS(tb, ctx, `mermaid.parse(`+string(src)+`).then(() => "", e => String(e && e.message || e))`)
}

// MermaidRender renders a diagram into the page, replacing its body,
// and returns mermaid.render's message, "" when it rendered.
func MermaidRender(tb testing.TB, ctx context.Context, diagram string) string {
	tb.Helper()
	src, _ := json.Marshal(diagram)
	return awaitJS(tb, ctx, `mermaid.render('flow', `+string(src)+`).then(r => {
		document.body.innerHTML = r.svg; document.body.style.background = 'white'; return "";
	}, e => String(e && e.message || e))`)
}

// awaitJS evaluates a JavaScript expression whose value is a promise of
// a string and returns what it resolves to.
func awaitJS(tb testing.TB, ctx context.Context, expr string) string {
	tb.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.Fatalf("evaluate %.80s…: %v", expr, err)
	}
	return v
}
