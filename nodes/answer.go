package nodes

// AnswerChecker is implemented by input nodes that can tell, without
// changing anything, whether an input answers the question they asked.
// The runtime asks before it hands the input over, to tell an answer from
// the user changing the subject ("create a case" when asked for an
// e-mail) or making small talk.
type AnswerChecker interface {
	CheckAnswer(t *Turn, in Input) AnswerKind
}

// AnswerKind is what an AnswerChecker says of an input.
type AnswerKind uint8

// The kinds of answer.
const (
	// AnswerUnsure: the node cannot tell before it reads the input.
	AnswerUnsure AnswerKind = iota
	// AnswerValid: the input answers the question.
	AnswerValid
	// AnswerInvalid: the input does not answer the question.
	AnswerInvalid
	// AnswerFreeText: any text answers the question (a name, a
	// description); the runtime decides whether this one was meant as an
	// answer.
	AnswerFreeText
)

// freeTextTypes are the entity types any text is a value of.
var freeTextTypes = map[string]bool{
	EntityString: true, EntityPersonName: true, EntityCompanyName: true, EntityDescription: true,
}

// CheckAnswer tells a value of the entity's type from other input: a
// button press or an optional entity's Skip is an answer; a free-text type
// takes any text.
func (e *Entity) CheckAnswer(t *Turn, in Input) AnswerKind {
	if in.Payload != "" || e.Optional && isSkip(t, in) {
		return AnswerValid
	}
	if freeTextTypes[e.EntityType] {
		return AnswerFreeText
	}
	opts, err := e.options(t)
	if err != nil {
		return AnswerUnsure
	}
	if _, ok := e.typ.Parse(in.Value(), t.Lang, t.Now, opts); ok {
		return AnswerValid
	}
	return AnswerInvalid
}

// CheckAnswer tells yes and no (in the turn's language, or the node's
// synonyms) from other input.
func (n *Confirmation) CheckAnswer(t *Turn, in Input) AnswerKind {
	if in.Payload != "" {
		return AnswerValid
	}
	yesN, noN := n.yesN, n.noN
	if yesN == nil && noN == nil { // not provisioned
		yesN, noN = normalizeAll(n.YesSynonyms), normalizeAll(n.NoSynonyms)
	}
	if _, ok := parseYesNo(in.Value(), t.Lang, yesN, noN); ok {
		return AnswerValid
	}
	if n.OnElse != "" {
		return AnswerUnsure // the designer routes other answers
	}
	return AnswerInvalid
}
