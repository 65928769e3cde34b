package nodes

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

func init() {
	Register(Info{
		Type:    "entity",
		New:     func() Node { return new(Entity) },
		Summary: "Ask the user for a typed value (e-mail, date, number, choice, …), re-prompt until it is valid, and store it as an entity.",
	})
}

// Entity asks for one entity value and stores it in the context as
// entities.<name>.
//
// When the dialog enters the node and the entity is already filled, the
// node is skipped. Otherwise, when the entity type can find its value
// inside the utterance that started the task ("create a lead for
// jane@example.com"), that value is taken without asking. Otherwise the
// prompt is shown and the node waits. A valid answer fills the entity; an
// invalid one is answered with the next error prompt, until the retries run
// out: then the dialog goes to on_fail, or ends as failed.
type Entity struct {
	// Name is the entity's name in the context (entities.<name>). Default:
	// the node id.
	Name string `yaml:"name"`
	// EntityType is one of string, number, email, phone, date, yes_no,
	// list, person_name, company_name, description.
	EntityType string `yaml:"entity_type"`
	// Label names the entity when the task says which values it took
	// from the user's first sentence ("Got it: first name Ada, …"), in
	// one or several languages. Default: the name, "_" read as a space.
	Label Text `yaml:"label"`
	// Prompt asks for the value. Required.
	Prompt Text `yaml:"prompt"`
	// ErrorPrompts answer invalid input, in the order of retries, cycling.
	// Without them the user is told what was wrong (in the turn's
	// language, for English, German and Japanese) and is shown the prompt
	// again.
	ErrorPrompts TextList `yaml:"error_prompts"`
	// Retries is how many invalid answers are re-prompted before giving
	// up: 1 to 10, default 5.
	Retries *int `yaml:"retries"`
	// OnFail is where the dialog goes when the retries run out. Empty ends
	// the task as failed, telling the user FailMessage.
	OnFail Target `yaml:"on_fail"`
	// FailMessage is what the user is told when the task ends because the
	// retries ran out. Default: the host's text for retries_exhausted
	// (failure_text, events.failures, the built-in phrase).
	FailMessage Text `yaml:"fail_message"`
	// Optional asks once: an invalid answer leaves the entity empty and
	// the dialog goes on.
	Optional bool `yaml:"optional"`

	// Region is the default region of phone numbers without a country
	// code ("US", "JP", "DE"). Default: the region of the turn's language.
	Region string `yaml:"region"`

	// Items are the choices of a list entity.
	Items []ListItem `yaml:"items"`
	// From is the context path of a list of records to choose from
	// (lookup.response.body.records), for a list entity instead of Items.
	From string `yaml:"from"`
	// Value is the key (a dotted path) of a record's value, e.g. Id. Empty
	// means the records are plain values.
	Value string `yaml:"value"`
	// Title is the key of a record's label, e.g. Name. Default: Value.
	Title string `yaml:"title"`
	// Subtitle is the key of a record's second line, e.g. Email.
	Subtitle string `yaml:"subtitle"`

	typ          EntityType
	extractor    EntityExtractor // nil when typ cannot extract
	maxRetries   int
	opts         EntityOptions       // settings for every type but from-context lists
	static       map[string][]Button // rendered buttons of static items by language
	fromPath     []string
	valuePath    []string
	titlePath    []string
	subtitlePath []string
}

// ListItem is a static choice of a list entity.
type ListItem struct {
	// Value is what is stored, and sent back by the item's button.
	Value string `yaml:"value"`
	// Title is the button label. Default: Value.
	Title Text `yaml:"title"`
	// Synonyms are other words that select the item.
	Synonyms []string `yaml:"synonyms"`
}

// Limits of the entity node.
const (
	defaultRetries = 5
	maxRetries     = 10
	// maxListButtons bounds the buttons shown for a list; the user can
	// still type any item.
	maxListButtons = 20
	// maxListItems bounds the records taken from the context.
	maxListItems = 500
)

// Provision fills in defaults and compiles the list settings.
func (e *Entity) Provision(h *Host) error {
	if e.Name == "" {
		e.Name = h.NodeID
	}
	typ, ok := LookupEntityType(e.EntityType)
	if !ok {
		if e.EntityType == "" {
			return errors.New("field entity_type is required")
		}
		return fmt.Errorf("unknown entity_type %q; known types: %s", e.EntityType, strings.Join(EntityTypeNames(), ", "))
	}
	e.typ = typ
	e.extractor, _ = typ.(EntityExtractor)
	e.maxRetries = defaultRetries
	if e.Retries != nil {
		e.maxRetries = *e.Retries
	}
	e.Region = strings.ToUpper(strings.TrimSpace(e.Region))
	e.opts = EntityOptions{Region: e.Region}
	if e.From != "" {
		e.fromPath = SplitPath(e.From)
		if e.Value != "" {
			e.valuePath = SplitPath(e.Value)
		}
		e.titlePath = e.valuePath
		if e.Title != "" {
			e.titlePath = SplitPath(e.Title)
		}
		if e.Subtitle != "" {
			e.subtitlePath = SplitPath(e.Subtitle)
		}
	}
	if len(e.Items) > 0 {
		return e.provisionItems(h.Languages)
	}
	return nil
}

// provisionItems renders static items once per bot language when their
// titles are constant, so asking and parsing allocate nothing per turn.
func (e *Entity) provisionItems(langs []string) error {
	for _, it := range e.Items {
		for _, l := range it.Title.Languages() {
			if tp := it.Title.Interp(l); tp != nil && tp.HasInterpolation() {
				return nil // rendered per turn
			}
		}
	}
	e.static = make(map[string][]Button, len(langs)+1)
	for _, lang := range append([]string{""}, langs...) {
		opts, err := e.renderItems(&Turn{Lang: lang})
		if err != nil {
			return fmt.Errorf("items: %w", err)
		}
		e.static[lang] = listButtons(opts)
		if lang != "" {
			continue
		}
		// Parsing accepts the title in every language.
		for i := range opts {
			syn := append([]string(nil), e.Items[i].Synonyms...)
			for _, l := range e.Items[i].Title.Languages() {
				s, err := e.Items[i].Title.Interp(l).Render(&Turn{}, EscapeText)
				if err != nil {
					return fmt.Errorf("items[%d].title: %w", i, err)
				}
				syn = append(syn, s)
			}
			opts[i].Synonyms = syn
		}
		e.opts.Items = opts
	}
	return nil
}

// Validate checks the settings.
func (e *Entity) Validate() error {
	if e.EntityType == "" {
		return errors.New("field entity_type is required")
	}
	if _, ok := LookupEntityType(e.EntityType); !ok {
		return fmt.Errorf("unknown entity_type %q; known types: %s", e.EntityType, strings.Join(EntityTypeNames(), ", "))
	}
	if e.Name == "" {
		return errors.New("field name is required")
	}
	if strings.ContainsAny(e.Name, ". \t") {
		return fmt.Errorf("name %q: must not contain dots or spaces", e.Name)
	}
	if e.Prompt.IsZero() {
		return errors.New("field prompt is required")
	}
	if e.Retries != nil && (*e.Retries < 1 || *e.Retries > maxRetries) {
		return fmt.Errorf("retries must be between 1 and %d, got %d", maxRetries, *e.Retries)
	}
	if e.Optional && e.OnFail != "" {
		return errors.New("on_fail is never used by an optional entity: it asks only once")
	}
	if e.Region != "" {
		if e.EntityType != EntityPhone {
			return fmt.Errorf("region is only for entity_type phone, not %s", e.EntityType)
		}
		if !validRegion(e.Region) {
			return fmt.Errorf("region %q is not a known phone region (use an ISO 3166 code such as US, JP or DE)", e.Region)
		}
	}
	if e.EntityType != EntityList {
		if len(e.Items) > 0 || e.From != "" || e.Value != "" || e.Title != "" || e.Subtitle != "" {
			return fmt.Errorf("items, from, value and title are only for entity_type list, not %s", e.EntityType)
		}
		return nil
	}
	switch {
	case len(e.Items) > 0 && e.From != "":
		return errors.New("a list takes either items or from, not both")
	case len(e.Items) == 0 && e.From == "":
		return errors.New("a list needs items or from")
	case e.From == "" && (e.Value != "" || e.Title != "" || e.Subtitle != ""):
		return errors.New("value and title name the keys of records given with from")
	}
	seen := make(map[string]int, len(e.Items))
	for i, it := range e.Items {
		if strings.TrimSpace(it.Value) == "" {
			return fmt.Errorf("items[%d]: value is required", i)
		}
		k := strings.ToLower(it.Value)
		if j, dup := seen[k]; dup {
			return fmt.Errorf("items[%d]: value %q already used by items[%d]", i, it.Value, j)
		}
		seen[k] = i
	}
	return nil
}

// Forget removes the entity's value, so that the node asks again (see
// [Reask]).
func (e *Entity) Forget(t *Turn) {
	t.Memory.ClearEntity(e.Name)
}

// Run skips the node when the entity is filled, takes the value from the
// task's utterance when it holds one, and otherwise asks.
func (e *Entity) Run(_ context.Context, t *Turn) (Outcome, error) {
	if _, ok := t.Memory.Entities[e.Name]; ok {
		return Next(), nil
	}
	if t.State != nil {
		t.State.Retries = 0
	}
	opts, err := e.options(t)
	if errors.Is(err, ErrNoListItems) && e.OnFail != "" {
		return Recover(e.OnFail, FailInternal), nil
	}
	if err != nil {
		return Outcome{}, err
	}
	if e.extractor != nil && t.Utterance != "" && !t.Memory.WasCleared(e.Name) {
		if v, ok := e.extractor.Extract(t.Utterance, t.Lang, t.Now, opts); ok {
			t.Memory.SetEntity(e.Name, v)
			return Next(), nil
		}
	}
	if err := e.ask(t, opts, -1); err != nil {
		return Outcome{}, err
	}
	return Wait(), nil
}

// Input parses the user's answer.
func (e *Entity) Input(_ context.Context, t *Turn, in Input) (Outcome, error) {
	opts, err := e.options(t)
	if err != nil {
		return Outcome{}, err
	}
	if e.Optional && isSkip(t, in) {
		return Next(), nil
	}
	if v, ok := e.typ.Parse(in.Value(), t.Lang, t.Now, opts); ok {
		t.Memory.SetEntity(e.Name, v)
		return Next(), nil
	}
	if e.Optional {
		return Next(), nil
	}
	st := t.State
	if st == nil {
		st = &NodeState{}
		t.State = st
	}
	st.Retries++
	if st.Retries > e.maxRetries {
		if e.OnFail != "" {
			return Recover(e.OnFail, FailRetries), nil
		}
		text, err := renderOptional(t, e.FailMessage)
		if err != nil {
			return Outcome{}, fmt.Errorf("entity %s: fail_message: %w", e.Name, err)
		}
		return FailWith(FailRetries, text), nil
	}
	if err := e.ask(t, opts, st.Retries-1); err != nil {
		return Outcome{}, err
	}
	return Wait(), nil
}

// ask says the prompt, or error prompt retry (0-based) when retry >= 0,
// with the buttons of a list or the Yes/No quick replies.
func (e *Entity) ask(t *Turn, opts *EntityOptions, retry int) error {
	var r Reply
	switch e.EntityType {
	case EntityList:
		if b, ok := e.static[t.Lang]; ok {
			r.Buttons = b
		} else if b, ok := e.static[langBase(t.Lang)]; ok {
			r.Buttons = b
		} else {
			r.Buttons = listButtons(opts.Items)
		}
	case EntityYesNo:
		r.QuickReplies = quickYesNo(t)
	}
	if e.Optional {
		r.QuickReplies = append(r.QuickReplies, Button{Title: t.Phrase("button.skip"), Payload: skipPayload})
	}
	if retry >= 0 {
		if len(e.ErrorPrompts) > 0 {
			text, err := e.ErrorPrompts.Render(t, retry)
			if err != nil {
				return fmt.Errorf("entity %s: error_prompts: %w", e.Name, err)
			}
			r.Text = text
			t.Say(r)
			return nil
		}
		t.Say(Reply{Text: entityHint(t, e.EntityType)})
	}
	text, err := e.Prompt.Render(t)
	if err != nil {
		return fmt.Errorf("entity %s: prompt: %w", e.Name, err)
	}
	r.Text = text
	t.Say(r)
	return nil
}

// skipPayload is the payload of an optional entity's Skip chip. It cannot
// be a task name, so the runtime hands it to the node.
const skipPayload = "entity:skip"

// isSkip reports whether the user skipped an optional entity: the Skip
// chip, or its label typed in the turn's language ("Skip", "Überspringen").
func isSkip(t *Turn, in Input) bool {
	if in.Payload != "" {
		return in.Payload == skipPayload
	}
	return strings.EqualFold(strings.TrimSpace(in.Text), t.Phrase("button.skip"))
}

// entityHint tells the user what was wrong with an answer: the phrase
// entity.unclear.<type> for the types whose rules fit in a few words,
// entity.unclear for the others.
func entityHint(t *Turn, entityType string) string {
	switch entityType {
	case EntityEmail, EntityPhone, EntityDate, EntityNumber, EntityYesNo, EntityList:
		return t.Phrase("entity.unclear." + entityType)
	}
	return t.Phrase("entity.unclear")
}

func listButtons(items []ListOption) []Button {
	n := min(len(items), maxListButtons)
	b := make([]Button, n)
	for i := range n {
		b[i] = Button{Title: items[i].Title, Payload: items[i].Value, Subtitle: items[i].Subtitle}
	}
	return b
}

// options returns the entity options for this turn: shared and read-only
// for most types, built from the context for lists.
func (e *Entity) options(t *Turn) (*EntityOptions, error) {
	if e.EntityType != EntityList || (len(e.Items) > 0 && e.static != nil) {
		return &e.opts, nil
	}
	var items []ListOption
	var err error
	if e.From != "" {
		items, err = e.contextItems(t)
	} else {
		items, err = e.renderItems(t)
	}
	if err != nil {
		return nil, err
	}
	return &EntityOptions{Region: e.Region, Items: items}, nil
}

func (e *Entity) renderItems(t *Turn) ([]ListOption, error) {
	out := make([]ListOption, len(e.Items))
	for i, it := range e.Items {
		title := it.Value
		if !it.Title.IsZero() {
			s, err := it.Title.Render(t)
			if err != nil {
				return nil, fmt.Errorf("entity %s: items[%d].title: %w", e.Name, i, err)
			}
			title = s
		}
		out[i] = ListOption{Value: it.Value, Title: title, Synonyms: it.Synonyms}
	}
	return out, nil
}

// ErrNoListItems is returned by a list entity whose from path holds no
// records to choose from and that has no on_fail target to go to instead.
var ErrNoListItems = errors.New("nodes: no list items to choose from")

// contextItems reads the records at From: a list of objects (or plain
// values) from which Value and Title pick the item's value and label.
func (e *Entity) contextItems(t *Turn) ([]ListOption, error) {
	v, ok := t.Memory.Lookup(e.fromPath, t.Now.Unix())
	list, isList := v.([]any)
	if !ok || !isList || len(list) == 0 {
		return nil, fmt.Errorf("entity %s: from %s: %w", e.Name, e.From, ErrNoListItems)
	}
	if len(list) > maxListItems {
		list = list[:maxListItems]
	}
	items := make([]ListOption, 0, len(list))
	for _, rec := range list {
		val, ok := scalarString(descendPath(rec, e.valuePath))
		if !ok || val == "" {
			continue
		}
		title, ok := scalarString(descendPath(rec, e.titlePath))
		if !ok || title == "" {
			title = val
		}
		var sub string
		if e.subtitlePath != nil {
			sub, _ = scalarString(descendPath(rec, e.subtitlePath))
		}
		items = append(items, ListOption{Value: val, Title: title, Subtitle: sub})
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("entity %s: from %s: %w", e.Name, e.From, ErrNoListItems)
	}
	return items, nil
}

func descendPath(v any, path []string) any {
	if len(path) == 0 {
		return v
	}
	got, ok := descend(v, path)
	if !ok {
		return nil
	}
	return got
}

// scalarString formats a string, number or bool value as text.
func scalarString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case float64:
		return formatNumber(x), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

var (
	_ InputNode   = (*Entity)(nil)
	_ Provisioner = (*Entity)(nil)
	_ Validator   = (*Entity)(nil)
)
