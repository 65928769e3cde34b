package dialog

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/botforge/dialogd/nodes"
)

// Every failure kind has its bot.yaml key under events.failures, and
// every key there is a kind.
func TestFailureTextsCoverEveryKind(t *testing.T) {
	var ft FailureTexts
	v := reflect.ValueOf(&ft).Elem()
	var tags []string
	for i := range v.NumField() {
		tag := v.Type().Field(i).Tag.Get("yaml")
		tags = append(tags, tag)
		x := nodes.MustParseText(tag)
		v.Field(i).Set(reflect.ValueOf(&x))
	}
	for _, kind := range nodes.Failures() {
		x := ft.text(kind)
		if x == nil {
			t.Errorf("events.failures has no key for kind %s", kind)
			continue
		}
		if got, _ := x.Render(&nodes.Turn{}); got != string(kind) {
			t.Errorf("text(%s) = the text of %s; want its own", kind, got)
		}
	}
	for _, tag := range tags {
		if !slices.Contains(nodes.Failures(), nodes.Failure(tag)) {
			t.Errorf("events.failures.%s is not a failure kind", tag)
		}
	}
}

// The command and disconnect words of every phrase table are recognised,
// and a word of one language tells that language.
func TestCommandWordsFromPhraseTables(t *testing.T) {
	tests := []struct {
		n    string
		cmd  command
		lang string
	}{
		{"cancel", cmdCancel, "en"},
		{"start over", cmdRestart, "en"},
		{"abbrechen", cmdCancel, "de"},
		{"neu starten", cmdRestart, "de"},
		{"キャンセル", cmdCancel, "ja"},
		{"ヘルプ", cmdHelp, "ja"},
		{"create a lead", cmdNone, ""},
	}
	for _, tt := range tests {
		if got := commands[tt.n].cmd; got != tt.cmd {
			t.Errorf("commands[%q] = %v; want %v", tt.n, got, tt.cmd)
		}
		if got := commandLang(tt.n); got != tt.lang {
			t.Errorf("commandLang(%q) = %q; want %q", tt.n, got, tt.lang)
		}
	}
	disconnect := []struct{ n, want string }{
		{"disconnect salesforce", "salesforce"},
		{"disconnect from salesforce", "salesforce"},
		{"log out of salesforce", "salesforce"},
		{"verbindung zu salesforce trennen", "salesforce"},
		{"salesforce trennen", "salesforce"},
		{"von salesforce abmelden", "salesforce"},
		{"salesforceとの連携を解除", "salesforce"},
		{"salesforce からログアウト", "salesforce"},
		{"disconnected", ""},
		{"disconnect", ""},
		{"trennen", ""},
	}
	for _, tt := range disconnect {
		got := ""
		for _, p := range disconnectPatterns {
			if s, ok := p.match(normalize(tt.n)); ok {
				got = s
				break
			}
		}
		if got != tt.want {
			t.Errorf("disconnect pattern of %q: got %q; want %q", tt.n, got, tt.want)
		}
	}
	if strings.Contains(nodes.BuiltinPhrase("ja", "switch", "x"), "%") {
		t.Error("a filled phrase still holds a placeholder")
	}
}
