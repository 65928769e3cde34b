package dialog

import (
	"fmt"

	"github.com/botforge/dialogd/nodes"
)

// Standard responses, per language. A bot overrides them in bot.yaml.
var builtin = map[string]map[string]string{
	"en": {
		"welcome":           "Hi! How can I help you?",
		"fallback":          "Sorry, I didn't understand that. Here is what I can do:",
		"help":              "Here is what I can do:",
		"canceled":          "Okay, I've canceled that.",
		"nothing_to_cancel": "There is nothing to cancel.",
		"restarted":         "Okay, let's start over.",
		"failed":            "Sorry, something went wrong and I could not finish that. Please try again later.",
		"loop":              "Sorry, this task is going round in circles, so I stopped it.",
		"switch":            "Okay, let's do %s instead.",
		"parked":            "I'm still waiting for you to grant access. Use the link above, or say cancel.",
	},
	"ja": {
		"welcome":           "こんにちは！ご用件をどうぞ。",
		"fallback":          "すみません、よく分かりませんでした。できることは次のとおりです：",
		"help":              "できることは次のとおりです：",
		"canceled":          "キャンセルしました。",
		"nothing_to_cancel": "キャンセルするものはありません。",
		"restarted":         "最初からやり直しましょう。",
		"failed":            "申し訳ありません。問題が発生したため完了できませんでした。後でもう一度お試しください。",
		"loop":              "申し訳ありません。このタスクが循環しているため停止しました。",
		"switch":            "では、%s を始めましょう。",
		"parked":            "アクセスの許可をお待ちしています。上のリンクを使うか、「キャンセル」と入力してください。",
	},
	"de": {
		"welcome":           "Hallo! Wie kann ich helfen?",
		"fallback":          "Entschuldigung, das habe ich nicht verstanden. Das kann ich:",
		"help":              "Das kann ich:",
		"canceled":          "Okay, ich habe das abgebrochen.",
		"nothing_to_cancel": "Es gibt nichts abzubrechen.",
		"restarted":         "Okay, wir fangen von vorne an.",
		"failed":            "Entschuldigung, etwas ist schiefgegangen. Bitte versuchen Sie es später noch einmal.",
		"loop":              "Entschuldigung, diese Aufgabe dreht sich im Kreis, daher habe ich sie beendet.",
		"switch":            "Okay, dann machen wir %s.",
		"parked":            "Ich warte noch auf Ihre Freigabe. Nutzen Sie den Link oben oder sagen Sie abbrechen.",
	},
}

// phrase renders a bot's override, or the built-in response in the turn's language.
func phrase(t *nodes.Turn, override *nodes.Text, key string, args ...any) string {
	if override != nil {
		if s, err := override.Render(t); err == nil {
			return s
		}
	}
	m, ok := builtin[t.Lang]
	if !ok {
		m = builtin["en"]
	}
	s, ok := m[key]
	if !ok {
		s = builtin["en"][key]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}
