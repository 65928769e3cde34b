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
		{"hello, good morning", smallTalkGreeting, "en"},
		{"anybody there?", smallTalkGreeting, "en"},
		{"hey bot", smallTalkGreeting, ""},
		{"have a great day!", smallTalkGoodbye, "en"},
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
		{"Guten Morgen zusammen", smallTalkGreeting, "de"},
		{"Sind Sie ein echter Mensch?", smallTalkAreYouABot, "de"},
		{"Danke, das war's", smallTalkGoodbye, "de"},
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
		{"おはよー", smallTalkGreeting, "ja"},
		{"お疲れ様です", smallTalkGreeting, "ja"},
		{"あなたはAIですか", smallTalkAreYouABot, "ja"},
		{"こんにちは、あなたは誰ですか", smallTalkWhoAreYou, "ja"},
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
		{"いいえ", smallTalkNone, ""},
		{"明日", smallTalkNone, ""},
		{"田中商事", smallTalkNone, ""},
		{"morgen", smallTalkNone, ""},
		{"Grüner Tag GmbH", smallTalkNone, ""},
		{"Bot Solutions Inc", smallTalkNone, ""},
		{"山田", smallTalkNone, ""},
		{"bot", smallTalkNone, ""},
		{"", smallTalkNone, ""},
		{"👋", smallTalkNone, ""},
	}
	for _, tc := range tests {
		got, ok := detectSmallTalk(tc.text, false)
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

// Loosely (no task waiting for an answer), the small-talk model reads
// paraphrases the lists do not hold, but not names or other requests.
func TestDetectSmallTalkLoosely(t *testing.T) {
	tests := []struct {
		text string
		kind smallTalkKind // smallTalkNone: not small talk
	}{
		{"thank you kindly", smallTalkThanks},
		{"many many thanks", smallTalkThanks},
		{"who made you?", smallTalkWhoAreYou},
		{"are you a real human being", smallTalkAreYouABot},
		{"good morning to you", smallTalkGreeting},
		{"vielen herzlichen Dank", smallTalkThanks},
		{"bist du ein echter Bot?", smallTalkAreYouABot},
		{"wie geht es dir heute", smallTalkHowAreYou},
		{"あなたは誰なの", smallTalkWhoAreYou},
		{"hi", smallTalkGreeting}, // the lists still answer first
		{"Hello Kitty Ltd", smallTalkNone},
		{"Hallo Welt GmbH", smallTalkNone},
		{"Morgan Stanley", smallTalkNone},
		{"Goodman", smallTalkNone},
		{"Ada Lovelace", smallTalkNone},
		{"who is the owner of the account", smallTalkNone},
		{"are you able to update a case", smallTalkNone},
		{"hi, can you create a lead", smallTalkNone},
		{"yes please", smallTalkNone},
		{"山田太郎", smallTalkNone},
	}
	for _, tc := range tests {
		got, ok := detectSmallTalk(tc.text, true)
		if tc.kind == smallTalkNone {
			if ok {
				t.Errorf("detectSmallTalk(%q, loose) = %s; want no small talk", tc.text, got.kind.key())
			}
			continue
		}
		if !ok || got.kind != tc.kind {
			t.Errorf("detectSmallTalk(%q, loose) = %q, %v; want %s", tc.text, got.kind.key(), ok, tc.kind.key())
		}
		// Strictly, only what the lists hold is small talk.
		if _, strict := detectSmallTalk(tc.text, false); strict && tc.text != "hi" {
			t.Errorf("detectSmallTalk(%q, strict) is small talk; want only loosely", tc.text)
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

// BenchmarkDetectSmallTalk measures reading, loosely, a message that is
// not small talk (the common case), listed small talk, and a paraphrase
// the model reads.
func BenchmarkDetectSmallTalk(b *testing.B) {
	smallTalkModel() // trained once, on first use
	for _, text := range []string{"Lead Generation Ltd", "please update the opportunity", "hi there, how are you?", "ありがとうございます！", "thank you kindly"} {
		b.Run(text, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				detectSmallTalk(text, true)
			}
		})
	}
}

// BenchmarkTrainSmallTalkModel measures the one-off training of the
// small-talk model on the built-in word lists (on first use).
func BenchmarkTrainSmallTalkModel(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		trainSmallTalkModel()
	}
}

// FuzzDetectSmallTalk: any text is read without a panic, and what is small
// talk strictly is the same small talk loosely.
func FuzzDetectSmallTalk(f *testing.F) {
	for _, s := range []string{"hi", "thnaks a lot", "ありがとうございます！", "Hallo, wie geht's?", "aiですか", "hellooo  👋", "a\u0301"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		strict, ok := detectSmallTalk(text, false)
		loose, lok := detectSmallTalk(text, true)
		if ok && (!lok || loose != strict) {
			t.Errorf("detectSmallTalk(%q): strict %+v, loose %+v, %v", text, strict, loose, lok)
		}
	})
}
