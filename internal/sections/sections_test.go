package sections

import (
	"strings"
	"testing"

	"github.com/botforge/dialogd/dialog"
)

// TestLoadReportsSectionProblems: loading a bot reports the problems of
// its desk:, presence and directory: sections with the others, each at
// its place in bot.yaml.
func TestLoadReportsSectionProblems(t *testing.T) {
	_, err := dialog.LoadDir("testdata/baddesk")
	if err == nil {
		t.Fatal("the bot loaded; want its desk and directory problems")
	}
	got := err.Error()
	for _, want := range []string{
		`bot.yaml:7:15: desk.salesforce: no auth profile "nope" in auth_profiles`,
		`bot.yaml:11:66: desk.agents[0].capacity: capacity 200: want 1 to 50`,
		`bot.yaml:13:31: desk.presence.rules[0].teams[0]: unknown team "nobody"`,
		`bot.yaml:16:11: directory.object`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q; got:\n%s", want, got)
		}
	}
}
