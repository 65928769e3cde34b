package browsertest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// ScreenshotDirEnv names the environment variable that asks browser tests
// to keep screenshots: the directory they are written to.
const ScreenshotDirEnv = "SCREENSHOT_DIR"

// Screenshot writes a PNG of the tab's viewport to $SCREENSHOT_DIR/name
// and returns its path, or does nothing and returns "" when the variable
// is not set.
func Screenshot(tb testing.TB, ctx context.Context, name string) string {
	tb.Helper()
	dir := os.Getenv(ScreenshotDirEnv)
	if dir == "" {
		return ""
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tb.Fatalf("screenshot %s: %v", name, err)
	}
	return path
}
