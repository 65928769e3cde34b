package channels

import (
	"strings"

	"github.com/botforge/dialogd/nodes"
)

// langTag reduces a language tag from the widget (?lang=de-DE) or an
// identity token's locale claim (de-DE, de_DE) to its primary language
// subtag in lower case ("de"), the form bots list their languages in. It
// returns "" for anything that is not a tag: a fixed language must be one
// the bot speaks, which the runtime checks.
func langTag(s string) string {
	primary, _, _ := strings.Cut(strings.ReplaceAll(s, "_", "-"), "-")
	if len(primary) < 2 || len(primary) > 3 {
		return ""
	}
	for _, r := range primary {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return ""
		}
	}
	return strings.ToLower(primary)
}

// fixLang sets the language the connection's replies are fixed to: the
// identity token's locale claim wins over the widget's lang parameter,
// since the host site signed it.
func fixLang(ident *nodes.Identity, param string) {
	if ident.Lang == "" {
		ident.Lang = langTag(param)
	}
}
