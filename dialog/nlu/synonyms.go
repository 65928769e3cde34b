package nlu

import "slices"

// A synonym group is a set of words that mean one thing across wording
// and language: an action a verb names ("modify" and "change", "löschen"
// and "entfernen", "修正" and "変更") or the kind of record a noun names
// ("ticket", "Fall", "Vorgang", "問い合わせ" for a case). A word of a group
// (or, in Japanese, a substring of a run) adds the group as a feature, so
// "modify a lead" meets the training phrase "change a lead" and
// "リードを修正" meets "リードを変更" although they share no characters. A
// sentence naming an action and a record kind also gets their pair as a
// feature, in either word order ("delete a ticket", "Fall löschen"): the
// pair is what tells "delete a case" from "delete a lead" and from "find a
// case" whatever the words. The model still learns from the training
// utterances whether a group matters for an intent; this only lets it see
// that two spellings are one thing. A group feature is counted twice,
// since it stands in for a whole word's n-grams.
type synonymGroup struct {
	name   string
	object bool     // a kind of record, not an action
	stems  []string // alphabetic: a word that begins with a stem of 4 or more runes, or equals a shorter one
	cjk    []string // Japanese: a substring of a run
	notCJK []string // Japanese: a run holding one of these is not of the group (取引先責任者 is a contact, not an account)
	not    []string // alphabetic: a word beginning with one of these is not of the group ("marketing" is no mark, "accounting" no account)
}

var synonymGroups = []synonymGroup{
	{name: "create",
		stems: []string{"creat", "add", "adds", "added", "adding", "make", "regist", "new", "setup", "launch", "start", "kick", "submit", "raise", "enter", "save", "store",
			"anleg", "angeleg", "erstell", "hinzufüg", "hinzufueg", "erfass", "eintrag", "anlage", "neu", "neue", "neuen", "neuer", "neues", "aufnehm", "eröffn", "aufmach"},
		not:    []string{"registered", "registriert"},
		cjk:    []string{"作成", "登録", "追加", "作り", "作っ", "作る", "新規"},
		notCJK: []string{"登録済", "登録されて", "作成済"}},
	{name: "delete",
		stems: []string{"delet", "remov", "eras", "discard", "rid", "drop", "trash", "purg", "scrap", "cancel", "wipe",
			"lösch", "loesch", "gelösch", "entfern", "wegmach", "weg", "stornier", "storno"},
		cjk: []string{"削除", "消し", "消す", "消去", "消して", "除去", "なくし", "キャンセル", "取り消"}},
	{name: "update",
		stems: []string{"updat", "chang", "edit", "modif", "amend", "alter", "correct", "fix", "renam",
			"close", "pause", "activat", "deactivat", "escalat", "eskalier", "prioriti", "priorisier",
			"mark", "markier", "änder", "aender", "veränder", "bearbeit", "aktualisier", "anpass", "korrigier", "umbenenn", "überarbeit", "setz", "gesetzt",
			"schließ", "schliess", "pausier", "aktivier", "deaktivier", "geänder", "geaender"},
		not: []string{"market", "markt"},
		cjk: []string{"更新", "変更", "編集", "修正", "変え", "直し", "直す", "書き換え", "アップデート", "クローズ", "閉じ"}},
	{name: "find",
		stems: []string{"find", "search", "look", "locat", "seek", "query",
			"such", "durchsuch", "nachschlag", "recherchier", "ausfindig"},
		cjk: []string{"検索", "探し", "探す", "探して", "調べ", "見つけ", "照会"}},
	{name: "show",
		stems: []string{"show", "display", "view", "see", "detail", "pull", "info", "zeig", "anzeig", "ansehen", "anschau", "öffn"},
		cjk:   []string{"表示", "見せ", "見たい", "見る", "詳細"}},
	{name: "status",
		stems: []string{"status", "state", "progress", "stand", "zustand", "fortschritt"},
		not:   []string{"statement", "standard", "standort"},
		cjk:   []string{"状況", "状態", "ステータス", "進捗"}},
	{name: "exist",
		stems: []string{"any", "anything", "gibt", "irgendwelch", "irgendein"},
		cjk:   []string{"ありますか", "あります", "いますか"}},
	{name: "unresolved",
		stems: []string{"unresolved", "unsolved", "pending", "outstanding", "ungelöst", "ungeloest", "unerledigt"},
		cjk:   []string{"未解決", "解決していない", "解決してない", "解決されていない", "未対応", "対応中"}},
	{name: "convert",
		stems: []string{"conver", "qualif", "turn", "konvert", "umwand", "umgewand", "wandl", "verwandel", "überführ", "ueberfuehr"},
		cjk:   []string{"変換", "コンバート", "取引開始"}},
	{name: "lead", object: true,
		stems: []string{"lead", "prospect", "potential", "interessent", "potenziell"},
		cjk:   []string{"リード", "見込み客", "見込客"}},
	{name: "contact", object: true,
		stems: []string{"contact", "kontakt", "ansprechpartner", "person", "persons", "people", "personen"},
		not:   []string{"personal"},
		cjk:   []string{"連絡先", "取引先責任者", "コンタクト", "担当者"}},
	{name: "account", object: true,
		stems: []string{"account", "company", "companies", "firm", "firma", "firmen", "unternehm", "konto", "organisation", "organization"},
		cjk:   []string{"取引先", "会社", "アカウント", "企業"}, notCJK: []string{"取引先責任者"},
		not: []string{"accounting", "accountant", "firmware"}},
	{name: "case", object: true,
		stems: []string{"case", "ticket", "issue", "problem", "complain",
			"broken", "damag", "defect", "error", "bug", "invoic", "billing", "rechnung",
			"fall", "fälle", "vorgang", "vorgänge", "kundenvorg", "support", "anfrage", "störung", "beschwerde", "kaputt", "defekt", "fehler"},
		not: []string{"falls"},
		cjk: []string{"ケース", "問い合わせ", "問合せ", "チケット", "不具合", "問題", "サポート", "故障", "壊れ", "エラー", "トラブル", "請求"}},
	{name: "campaign", object: true,
		stems: []string{"campaign", "kampagne"},
		cjk:   []string{"キャンペーン"}},
	{name: "opportunity", object: true,
		stems: []string{"opportunit", "opp", "opps", "oppty", "deal", "verkaufschance", "geschäftschance", "chance"},
		cjk:   []string{"商談", "案件"}},
}

// phrasalVerbs name a group with two words neither of which names it
// alone ("set up a campaign" is a creation, "set" alone is not).
var phrasalVerbs = []struct{ first, second, group string }{
	{"set", "up", "create"},
	{"put", "in", "create"},
	{"sign", "up", "create"},
	{"turn", "off", "update"},
	{"switch", "off", "update"},
}

// phrasalHashes are phrasalVerbs' word hashes and group indexes.
var phrasalHashes = func() [][3]uint64 {
	out := make([][3]uint64, len(phrasalVerbs))
	for i, p := range phrasalVerbs {
		gi := slices.IndexFunc(synonymGroups, func(g synonymGroup) bool { return g.name == p.group })
		out[i] = [3]uint64{hashRunes(kindWord, []rune(p.first)), hashRunes(kindWord, []rune(p.second)), uint64(gi)}
	}
	return out
}()

// phrasal marks the group of a phrasal verb whose words are prev and
// word (their word hashes).
func (e *extractor) phrasal(prev, word uint64) {
	for _, p := range phrasalHashes {
		if p[0] == prev && p[1] == word {
			e.addGroup(int(p[2]))
		}
	}
}

// kindGroup marks a synonym-group feature, kindGroupPair an action and
// record-kind pair.
const (
	kindGroup     = 'g'
	kindGroupPair = 'p'
)

var groupHashes = func() []uint64 {
	hs := make([]uint64, len(synonymGroups))
	for i, g := range synonymGroups {
		hs[i] = hashRunes(kindGroup, []rune(g.name))
	}
	return hs
}()

// groupStems are the groups' alphabetic stems as runes, for the typo
// check.
var groupStems = func() [][][]rune {
	out := make([][][]rune, len(synonymGroups))
	for gi, g := range synonymGroups {
		for _, stem := range g.stems {
			out[gi] = append(out[gi], []rune(stem))
		}
	}
	return out
}()

// minTypoStem is the shortest stem a word may miss by one typo and still
// name its group ("delte" a deletion, "updte" an update): shorter stems
// would meet too many other words.
const minTypoStem = 5

// minCompoundStem is the shortest stem that also names its group at the
// end of a German compound ("Marketingkampagne", "Supportfall" does not
// count: "fall" is too short).
const minCompoundStem = 7

// groupsOfWord marks the groups of an alphabetic word in e.groups and
// appends their features; a word of no group that is one typo from a
// long stem is taken for that stem.
func (e *extractor) groupsOfWord(word []rune) {
	if e.stemGroupsOfWord(word) || len(word) < minTypoStem-1 {
		return
	}
	for gi, stems := range groupStems {
		for _, stem := range stems {
			if len(stem) >= minTypoStem && oneTypoPrefix(word, stem) {
				e.addGroup(gi)
				e.noteHead(gi)
				break
			}
		}
	}
}

// stemGroupsOfWord adds the groups whose stems word begins with (or ends,
// as a compound), and reports whether word is a word of some group (or
// of none on purpose), so that no typo of a stem is looked for.
func (e *extractor) stemGroupsOfWord(word []rune) bool {
	found := false
	for gi, g := range synonymGroups {
		if beginsWithAny(word, g.not) {
			found = true // a word of its own, not a typo of another stem
			continue
		}
		for si, stem := range groupStems[gi] {
			// Most stems differ from the word in both its first rune and,
			// for a compound, its last: two comparisons rule them out.
			if stem[0] != word[0] && (len(stem) < minCompoundStem || stem[len(stem)-1] != word[len(word)-1]) {
				continue
			}
			if stemMatches(word, g.stems[si]) || endsCompound(word, stem) {
				e.addGroup(gi)
				e.noteHead(gi)
				if gi == createGroup {
					e.noteCreate(word)
				}
				found = true
				break
			}
		}
	}
	return found
}

// endsCompound tells whether word is a compound that ends in a long stem.
func endsCompound(word, stem []rune) bool {
	return len(stem) >= minCompoundStem && len(word) > len(stem) && runesHaveSuffix(word, stem)
}

// oneTypoPrefix tells whether word begins with stem misspelt by one
// substitution, swap of neighbours, missing or extra rune, the first rune
// right.
func oneTypoPrefix(word, stem []rune) bool {
	if len(word) == 0 || word[0] != stem[0] {
		return false
	}
	i := 0
	for i < len(stem) && i < len(word) && word[i] == stem[i] {
		i++
	}
	if i == len(stem) {
		return false // no typo: stemMatches decided
	}
	rest := func(w, s []rune) bool { // w begins with s
		if len(w) < len(s) {
			return false
		}
		for k := range s {
			if w[k] != s[k] {
				return false
			}
		}
		return true
	}
	switch {
	case i < len(word) && rest(word[i+1:], stem[i+1:]): // substitution
		return true
	case i+1 < len(word) && i+1 < len(stem) && word[i] == stem[i+1] && word[i+1] == stem[i] && rest(word[i+2:], stem[i+2:]): // swap
		return true
	case rest(word[i:], stem[i+1:]): // a rune missing
		return true
	case i < len(word) && rest(word[i+1:], stem[i:]): // a rune too many
		return true
	}
	return false
}

// groupsOfRun marks the groups found in a Japanese run and appends their
// features.
func (e *extractor) groupsOfRun(run []rune) {
	e.headAt = -1
	for gi, g := range synonymGroups {
		if anyContained(run, g.notCJK) {
			continue
		}
		if anyContained(run, g.cjk) {
			e.addGroup(gi)
			// Japanese puts the head last: 取引先の案件 is a deal.
			if at := lastHead(run, g.cjk); g.object && at > e.headAt {
				e.head, e.headAt = gi, at
			}
		}
	}
}

func (e *extractor) addGroup(gi int) {
	e.groups |= 1 << gi
	e.feats = append(e.feats, groupHashes[gi], groupHashes[gi])
}

// noteHead takes an alphabetic word's record kind for the sentence's
// head when it is the first: English and German name the record a
// request is about before the ones that qualify it ("an opportunity for
// the Initech account", "den Lead der Firma Nordwind").
func (e *extractor) noteHead(gi int) {
	if synonymGroups[gi].object && e.head < 0 {
		e.head = gi
	}
}

// kindHeadPair marks the pair of an action and the head record kind.
const kindHeadPair = 'h'

// groupPairs appends a feature for each action and record kind the
// sentence named together, and one for each action with the head record
// kind, which is what tells "add a deal for the Initech account" from
// "add an account".
func (e *extractor) groupPairs() {
	if e.groups == 0 {
		return
	}
	if e.head >= 0 {
		for ai, a := range synonymGroups {
			if !a.object && e.groups&(1<<ai) != 0 {
				h := uint64(fnvOffset)
				h = (h ^ kindHeadPair) * fnvPrime
				h = (h ^ groupHashes[ai]) * fnvPrime
				e.feats = append(e.feats, (h^groupHashes[e.head])*fnvPrime)
			}
		}
	}
	for ai, a := range synonymGroups {
		if a.object || e.groups&(1<<ai) == 0 {
			continue
		}
		for oi, o := range synonymGroups {
			if o.object && e.groups&(1<<oi) != 0 {
				h := uint64(fnvOffset)
				h = (h ^ kindGroupPair) * fnvPrime
				h = (h ^ groupHashes[ai]) * fnvPrime
				e.feats = append(e.feats, (h^groupHashes[oi])*fnvPrime)
			}
		}
	}
}

func stemMatches(word []rune, stem string) bool {
	i := 0
	for _, r := range stem {
		if i >= len(word) || word[i] != r {
			return false
		}
		i++
	}
	return i == len(word) || i >= 4
}

func beginsWithAny(word []rune, prefixes []string) bool {
	for _, p := range prefixes {
		if stemMatches(word, p) {
			return true
		}
	}
	return false
}

// lastHead is where the last of subs found in run as a record begins,
// -1 if none is: a record's name followed by 名 is a field (リードの会社名
// is a lead's company name, not a company).
func lastHead(run []rune, subs []string) int {
	last := -1
	for _, sub := range subs {
		if at := lastRecordIndex(run, sub); at > last {
			last = at
		}
	}
	return last
}

func lastRecordIndex(run []rune, sub string) int {
	for start := len(run) - 1; start >= 0; start-- {
		if n, ok := prefixLen(run[start:], sub); ok && (start+n >= len(run) || run[start+n] != '名') {
			return start
		}
	}
	return -1
}

// prefixLen tells whether run begins with prefix, and its length in
// runes.
func prefixLen(run []rune, prefix string) (int, bool) {
	i := 0
	for _, r := range prefix {
		if i >= len(run) || run[i] != r {
			return 0, false
		}
		i++
	}
	return i, true
}

func anyContained(run []rune, subs []string) bool {
	for _, sub := range subs {
		if containsRunes(run, sub) {
			return true
		}
	}
	return false
}

func containsRunes(run []rune, sub string) bool {
	for start := range run {
		i := start
		matched := true
		for _, r := range sub {
			if i >= len(run) || run[i] != r {
				matched = false
				break
			}
			i++
		}
		if matched {
			return true
		}
	}
	return false
}
