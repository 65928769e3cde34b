package nlu

// ExtractedAction is what the full feature extraction says of text: does
// it name an action group. The tests hold NamesAction to it.
func ExtractedAction(text string) bool {
	n, e := newNormalizer(), &extractor{}
	e.extract(n.normalize(text))
	for gi, g := range synonymGroups {
		if !g.object && e.groups&(1<<gi) != 0 {
			return true
		}
	}
	return false
}
