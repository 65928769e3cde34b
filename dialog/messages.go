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
		"link_expired":      "The authorization link has expired, so I stopped that task. Ask again whenever you're ready.",
		"discard_parked":    "We're in the middle of %s, waiting for you to grant access. Drop it and do %s instead?",
		"still_waiting":     "Okay, let's finish %s first. Here is the link again.",
		"disconnected":      "Done: I've disconnected %s. I'll ask for access again next time.",
		"disconnect_failed": "Sorry, I couldn't disconnect %s just now. Please try again later.",
		"not_connected":     "There is no %s connection to disconnect.",
		"access_denied":     "Access was not granted, so I stopped %s. Ask again whenever you like.",
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
		"link_expired":      "認可リンクの有効期限が切れたため、タスクを終了しました。準備ができたら、もう一度お声がけください。",
		"discard_parked":    "%s の途中で、アクセスの許可をお待ちしています。中止して %s を始めますか？",
		"still_waiting":     "では、先に %s を終わらせましょう。リンクをもう一度お送りします。",
		"disconnected":      "%s との連携を解除しました。次回はもう一度アクセスの許可をお願いします。",
		"disconnect_failed": "申し訳ありません。%s との連携を解除できませんでした。後でもう一度お試しください。",
		"not_connected":     "解除する %s の連携はありません。",
		"access_denied":     "アクセスが許可されなかったため、%s を中止しました。いつでもまたお声がけください。",
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
		"link_expired":      "Der Autorisierungslink ist abgelaufen, daher habe ich die Aufgabe beendet. Fragen Sie einfach erneut.",
		"discard_parked":    "Wir sind mitten in %s und warten auf Ihre Freigabe. Abbrechen und stattdessen %s machen?",
		"still_waiting":     "Okay, dann zuerst %s. Hier ist der Link noch einmal.",
		"disconnected":      "Erledigt: Die Verbindung zu %s ist getrennt. Beim nächsten Mal frage ich erneut nach Zugriff.",
		"disconnect_failed": "Entschuldigung, die Verbindung zu %s konnte gerade nicht getrennt werden. Bitte später erneut versuchen.",
		"not_connected":     "Es gibt keine Verbindung zu %s, die getrennt werden könnte.",
		"access_denied":     "Der Zugriff wurde nicht erlaubt, daher habe ich %s beendet. Fragen Sie gern erneut.",
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
