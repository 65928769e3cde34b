package dialog

import (
	"testing"
)

// Small talk is told in each language, whatever the case, punctuation,
// emoji, politeness or a typing slip; task requests and the answers a task
// asks for are not small talk.
func TestDetectSmallTalk(t *testing.T) {
	tests := []struct {
		text string
		kind smallTalkKind // smallTalkNone: not small talk
		lang string
	}{
		// English.
		{"hi", smallTalkGreeting, ""},
		{"Hello!", smallTalkGreeting, "en"},
		{"HEY THERE 👋", smallTalkGreeting, "en"},
		{"hellooo", smallTalkGreeting, "en"},
		{"Good morning :)", smallTalkGreeting, "en"},
		{"good mornnig", smallTalkGreeting, "en"},
		{"thanks", smallTalkThanks, "en"},
		{"thx", smallTalkThanks, "en"},
		{"thanx!", smallTalkThanks, "en"},
		{"Thank you so much!!", smallTalkThanks, "en"},
		{"ok thanks", smallTalkThanks, "en"},
		{"thnaks a lot", smallTalkThanks, "en"},
		{"How are you?", smallTalkHowAreYou, "en"},
		{"hi, how r u", smallTalkHowAreYou, "en"},
		{"what's up", smallTalkHowAreYou, "en"},
		{"Who are you?", smallTalkWhoAreYou, "en"},
		{"what is your name", smallTalkWhoAreYou, "en"},
		{"are you a bot?", smallTalkAreYouABot, "en"},
		{"Are you human", smallTalkAreYouABot, "en"},
		{"am I talking to a real person?", smallTalkAreYouABot, "en"},
		{"hello, are you a bot?", smallTalkAreYouABot, "en"},
		{"bye", smallTalkGoodbye, "en"},
		{"Thanks, bye!", smallTalkGoodbye, "en"},
		{"see you later", smallTalkGoodbye, "en"},
		{"goodbyeee", smallTalkGoodbye, "en"},
		// German.
		{"Hallo", smallTalkGreeting, ""},
		{"guten Tag!", smallTalkGreeting, "de"},
		{"Moin moin", smallTalkGreeting, "de"},
		{"Servus", smallTalkGreeting, "de"},
		{"Grüß Gott", smallTalkGreeting, "de"},
		{"danke", smallTalkThanks, "de"},
		{"Danke dir!", smallTalkThanks, "de"},
		{"Vielen Dank", smallTalkThanks, "de"},
		{"dankeschön 🙏", smallTalkThanks, "de"},
		{"wie geht's?", smallTalkHowAreYou, "de"},
		{"Hallo, wie geht es dir?", smallTalkHowAreYou, "de"},
		{"Wer bist du?", smallTalkWhoAreYou, "de"},
		{"bist du ein Bot?", smallTalkAreYouABot, "de"},
		{"Spreche ich mit einem Menschen?", smallTalkAreYouABot, "de"},
		{"tschüss", smallTalkGoodbye, "de"},
		{"Tschüß!", smallTalkGoodbye, "de"},
		{"auf Wiedersehen", smallTalkGoodbye, "de"},
		// Japanese.
		{"こんにちは", smallTalkGreeting, "ja"},
		{"おはようございます！", smallTalkGreeting, "ja"},
		{"ありがとう", smallTalkThanks, "ja"},
		{"ありがとうございます！", smallTalkThanks, "ja"},
		{"どうもありがとうございました。", smallTalkThanks, "ja"},
		{"お元気ですか？", smallTalkHowAreYou, "ja"},
		{"あなたは誰ですか", smallTalkWhoAreYou, "ja"},
		{"ボットですか？", smallTalkAreYouABot, "ja"},
		{"あなたは人間ですか", smallTalkAreYouABot, "ja"},
		{"さようなら", smallTalkGoodbye, "ja"},
		{"またね！", smallTalkGoodbye, "ja"},
		// Task requests.
		{"hi, can you create a lead", smallTalkNone, ""},
		{"hello I want to create a lead", smallTalkNone, ""},
		{"thanks, now create a case", smallTalkNone, ""},
		{"Hallo, ich möchte einen Lead anlegen", smallTalkNone, ""},
		{"danke, jetzt einen Fall erstellen", smallTalkNone, ""},
		{"こんにちは、リードを作成したい", smallTalkNone, ""},
		{"ありがとう、次は商談を登録", smallTalkNone, ""},
		{"who are you working for", smallTalkNone, ""},
		// Answers.
		{"Ada Lovelace", smallTalkNone, ""},
		{"Hi Ada", smallTalkNone, ""},
		{"Halle", smallTalkNone, ""},
		{"Danko", smallTalkNone, ""},
		{"Morgan Stanley", smallTalkNone, ""},
		{"Hello Kitty Ltd", smallTalkNone, ""},
		{"ada@example.com", smallTalkNone, ""},
		{"42", smallTalkNone, ""},
		{"yes", smallTalkNone, ""},
		{"no", smallTalkNone, ""},
		{"ok", smallTalkNone, ""},
		{"ja", smallTalkNone, ""},
		{"nein danke", smallTalkNone, ""},
		{"はい", smallTalkNone, ""},
		{"山田", smallTalkNone, ""},
		{"bot", smallTalkNone, ""},
		{"", smallTalkNone, ""},
		{"👋", smallTalkNone, ""},
	}
	for _, tc := range tests {
		got, ok := detectSmallTalk(tc.text)
		if tc.kind == smallTalkNone {
			if ok {
				t.Errorf("detectSmallTalk(%q) = %s, %q; want no small talk", tc.text, got.kind.key(), got.lang)
			}
			continue
		}
		if !ok || got.kind != tc.kind || got.lang != tc.lang {
			t.Errorf("detectSmallTalk(%q) = %q, %q, %v; want %s, %q", tc.text, got.kind.key(), got.lang, ok, tc.kind.key(), tc.lang)
		}
	}
}

func TestOneSlipApart(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"thanks", "thnaks", true},
		{"thanks", "thank", true},
		{"thanks", "thankss", true},
		{"thanks", "thanbs", true},
		{"thanks", "thanks", false},
		{"thanks", "htnaks", false},
		{"tschüs", "tschüß", true},
		{"morning", "mornnig", true},
	}
	for _, tc := range tests {
		if got := oneSlipApart(tc.a, tc.b); got != tc.want {
			t.Errorf("oneSlipApart(%q, %q) = %v; want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// BenchmarkDetectSmallTalk measures reading one message that is not small
// talk (the common case) and one that is.
func BenchmarkDetectSmallTalk(b *testing.B) {
	for _, text := range []string{"Lead Generation Ltd", "hi there, how are you?", "ありがとうございます！"} {
		b.Run(text, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				detectSmallTalk(text)
			}
		})
	}
}
