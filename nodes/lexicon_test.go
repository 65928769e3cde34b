package nodes

import "testing"

func TestParseYesNo(t *testing.T) {
	type res struct{ yes, ok bool }
	var (
		yes   = res{true, true}
		no    = res{false, true}
		other = res{false, false}
	)
	tests := []struct {
		lang, text string
		want       res
	}{
		// English
		{"en", "yes", yes},
		{"en", "Yes!", yes},
		{"en", "  YEAH  ", yes},
		{"en", "yep", yes},
		{"en", "sure", yes},
		{"en", "Of course.", yes},
		{"en", "of course not", no},
		{"en", "Of course NOT!!", no},
		{"en", "ok", yes},
		{"en", "OK, go ahead", yes},
		{"en", "yes please do it", yes},
		{"en", "That's right", yes},
		{"en", "no", no},
		{"en", "Nope.", no},
		{"en", "no thanks", no},
		{"en", "don't", no},
		{"en", "not sure", other},
		{"en", "nothing", other},
		{"en", "maybe", other},
		{"en", "", other},
		{"en", "!!!", other},
		{"en", "ｙｅｓ", yes}, // full width
		{"en", "👍", yes},
		{"en", "👍🏽", yes}, // skin tone
		{"en", "👎", no},
		{"en", "✔️", yes}, // with variation selector
		// Japanese
		{"ja", "はい", yes},
		{"ja", "はい、お願いします", yes},
		{"ja", "ええ", yes},
		{"ja", "うん", yes},
		{"ja", "ううん", no},
		{"ja", "いいえ", no},
		{"ja", "いや", no},
		{"ja", "いいえ、結構です。", no},
		{"ja", "ｵｯｹｰ", yes}, // half-width katakana
		{"ja", "そうじゃない", no},
		{"ja", "そうです！", yes},
		{"ja", "yes", yes},
		{"ja", "👎", no},
		{"ja", "⭕", yes},
		{"ja", "たぶん", other},
		// German
		{"de", "ja", yes},
		{"de", "Jawohl!", yes},
		{"de", "klar", yes},
		{"de", "Na klar", yes},
		{"de", "nein", no},
		{"de", "nö", no},
		{"de", "Nö.", no},
		{"de", "auf keinen Fall", no},
		{"de", "Auf jeden Fall", yes},
		{"de", "natürlich nicht", no},
		{"de", "Natürlich", yes},
		{"de-AT", "ja", yes},
		{"de", "vielleicht", other},
		// unknown language falls back to English
		{"fr", "yes", yes},
		{"fr", "oui", other},
	}
	for _, tt := range tests {
		t.Run(tt.lang+"/"+tt.text, func(t *testing.T) {
			y, ok := ParseYesNo(tt.text, tt.lang, nil, nil)
			if got := (res{y, ok}); got != tt.want {
				t.Errorf("ParseYesNo(%q, %q) = %v, %v; want %v, %v", tt.text, tt.lang, y, ok, tt.want.yes, tt.want.ok)
			}
		})
	}
}

func TestParseYesNoExtra(t *testing.T) {
	extraYes := []string{"Let's do it", "aye"}
	extraNo := []string{"Not today", "yes but no"}
	tests := []struct {
		text    string
		yes, ok bool
	}{
		{"lets do it!", true, true},
		{"AYE", true, true},
		{"not today", false, true},
		{"yes but no", false, true}, // node synonyms win over built-ins
		{"yes", true, true},
		{"maybe", false, false},
	}
	for _, tt := range tests {
		y, ok := ParseYesNo(tt.text, "en", extraYes, extraNo)
		if y != tt.yes || ok != tt.ok {
			t.Errorf("ParseYesNo(%q) = %v, %v; want %v, %v", tt.text, y, ok, tt.yes, tt.ok)
		}
	}
}

func FuzzParseYesNo(f *testing.F) {
	for _, s := range []string{"yes", "of course not", "はい", "nö", "👍🏽", "\xff", ""} {
		f.Add(s, "en")
	}
	f.Fuzz(func(t *testing.T, text, lang string) {
		y, ok := ParseYesNo(text, lang, []string{text}, nil)
		if !ok && y {
			t.Fatalf("ParseYesNo(%q) = yes without ok", text)
		}
		if normalizeAnswer(text) != "" && !(y && ok) {
			t.Fatalf("ParseYesNo(%q) with itself as a yes synonym = %v, %v; want yes", text, y, ok)
		}
	})
}
