package dialog

import "github.com/botforge/dialogd/nodes"

func (r *Runtime) speaks(lang string) bool {
	for _, l := range r.bot.Config.Languages {
		if l == lang {
			return true
		}
	}
	return false
}

func (r *Runtime) setLang(t *nodes.Turn, lang string) {
	if lang != "" && r.speaks(lang) {
		t.Lang = lang
	}
}

func (r *Runtime) detectLang(t *nodes.Turn, text string) {
	if hasJapanese(text) {
		r.setLang(t, "ja")
	}
}
