package salesforce

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/botforge/dialogd/nodes"
)

func init() {
	nodes.Register(nodes.Info{
		Type:    "salesforce",
		New:     func() nodes.Node { return new(Action) },
		Summary: "Create, update, upsert, delete, get, find or search Salesforce records, convert a lead, or read picklist values.",
	})
}

// Operations of the salesforce node.
const (
	OpCreate      = "create"
	OpUpdate      = "update"
	OpUpsert      = "upsert"
	OpDelete      = "delete"
	OpGet         = "get"
	OpFind        = "find"
	OpSearch      = "search"
	OpConvertLead = "convert_lead"
	OpDescribe    = "describe"
)

var operations = []string{OpCreate, OpUpdate, OpUpsert, OpDelete, OpGet, OpFind, OpSearch, OpConvertLead, OpDescribe}

// Defaults of the salesforce node.
const (
	DefaultAuth       = "salesforce"
	DefaultAPIVersion = "62.0"
	defaultTimeout    = 10 * time.Second
	maxTimeout        = 20 * time.Second
	defaultLimit      = 10
	maxLimit          = 200
)

// Action is the salesforce node: one operation on one Salesforce object.
//
// Results go to the context under the node's id: id, link (the record in
// the org's Lightning UI), record, records and count (find, search), created
// (upsert), account_id, contact_id and opportunity_id (convert_lead),
// picklists (describe), and after a refusal error (Salesforce's errorCode,
// or timeout, network, uncertain), error_message, error_fields and
// duplicates.
type Action struct {
	// Operation is create, update, upsert, delete, get, find, search,
	// convert_lead or describe. Required.
	Operation string `yaml:"operation"`
	// Object is the sObject's API name (Lead, Contact, Account, Case,
	// Campaign, Opportunity, Task, My_Object__c). Required, except for
	// convert_lead (a Lead).
	Object string `yaml:"object"`
	// Auth names the auth profile of bot.yaml with the Salesforce
	// credentials and instance. Default: salesforce.
	Auth string `yaml:"auth"`
	// APIVersion is the REST API version, such as 62.0. Default: the auth
	// profile's (salesforce: {api_version: ...} in bot.yaml, so that it is
	// set once per bot), else 62.0.
	APIVersion string `yaml:"api_version"`
	// Fields are the record's field values for create, update and upsert:
	// a map of field names to templates ("{{ entities.email }}"), numbers,
	// booleans or null. A template that renders empty leaves the field out.
	Fields yaml.Node `yaml:"fields"`
	// RecordID is the record's id for update, delete, get and
	// convert_lead (the Lead's).
	RecordID *nodes.Interp `yaml:"record_id"`
	// ExternalID is the external-id field and value an upsert matches on.
	ExternalID *ExternalID `yaml:"external_id"`
	// Where filters a find: a map of field names to values, all of which
	// must hold. A value is a template, number, boolean or null (equals),
	// or a map of one operator to a value: equals, not_equals, starts_with,
	// contains, in (a list), less_than, greater_than, or phone (the field
	// holds the same phone number however the org stored it: see Region).
	Where yaml.Node `yaml:"where"`
	// AnyOf adds to Where a list of such maps of which at least one must
	// hold (a phone number in Phone or in MobilePhone). When one group
	// has a phone condition, every group holds only phone conditions.
	AnyOf []yaml.Node `yaml:"any_of"`
	// Region is the region (an ISO 3166 code: US, DE, JP) of phone
	// numbers written without a country code, in the value of a phone
	// condition and in the records' fields. Default: the region of the
	// conversation's language (en US, de DE, ja JP, en-GB GB).
	Region string `yaml:"region"`
	// Search is the search term of a search (SOSL parameterizedSearch).
	Search *nodes.Interp `yaml:"search"`
	// SearchIn is which fields a search looks in: all, name, email or
	// phone. Phone fields match a number however it is written ("+1 415
	// 555 0101" is found by +14155550101, the phone entity's E.164 form).
	SearchIn string `yaml:"search_in"`
	// Select lists the fields get, find and search return. Default: Id and
	// the object's name fields.
	Select []string `yaml:"select"`
	// OrderBy orders a find: a field, optionally ASC or DESC.
	OrderBy string `yaml:"order_by"`
	// Limit is the most records find and search return: 1 to 200, default 10.
	Limit int `yaml:"limit"`
	// MatchOn names fields whose values find the record an earlier attempt
	// of a create made when it is not known whether it did (its instance
	// died during the call, or the call timed out and the user tried
	// again): the record found is taken instead of creating a second.
	// Default: the object's natural key when the create sets it (Email for
	// Leads and Contacts, Name for Accounts, Campaigns and Opportunities);
	// an empty list turns it off.
	MatchOn *[]string `yaml:"match_on"`
	// Convert holds convert_lead's options.
	Convert *ConvertOptions `yaml:"convert"`
	// Picklists limits describe to these fields (default: every picklist).
	Picklists []string `yaml:"picklists"`
	// AskAgain maps fields to the nodes that asked for their values: when
	// Salesforce refuses a field's value, the user is told why and that
	// node asks again; every other answer is kept, and the dialog comes
	// back here.
	AskAgain map[string]nodes.Target `yaml:"ask_again"`
	// RetryFrom is where the dialog goes once the node asked again has its
	// new answer: this node's id to try again at once, or a confirmation
	// to show the corrected summary first. Unset, the dialog goes on along
	// that node's transitions (filled entities are not asked again), which
	// lead back here.
	RetryFrom nodes.Target `yaml:"retry_from"`
	// Timeout bounds each call. Default 10s, at most 20s.
	Timeout time.Duration `yaml:"timeout"`
	// OnError is where any other failure goes; unset ends the task with
	// the failed text.
	OnError nodes.Target `yaml:"on_error"`
	// OnDuplicate is where DUPLICATES_DETECTED goes (the matches are in
	// <id>.duplicates); unset shows the matches and ends the task.
	OnDuplicate nodes.Target `yaml:"on_duplicate"`
	// OnNotFound is where NOT_FOUND and ENTITY_IS_DELETED go, and a find
	// or search that found nothing; unset says so (a find or search goes
	// on to its transitions with count 0).
	OnNotFound nodes.Target `yaml:"on_not_found"`
	// OnUnavailable is where the org's API limit, a timeout, a network
	// failure or a 5xx goes; unset offers to try again.
	OnUnavailable nodes.Target `yaml:"on_unavailable"`
	// Texts override the built-in texts of this node.
	Texts Texts `yaml:"texts"`

	fields    *nodes.Body
	fieldKeys []string
	where     []condition
	anyOf     [][]condition
	matchOn   []string
	timeout   time.Duration
}

// ExternalID is the field and value an upsert matches on.
type ExternalID struct {
	Field string        `yaml:"field"`
	Value *nodes.Interp `yaml:"value"`
}

// ConvertOptions are convert_lead's options (SOAP convertLead).
type ConvertOptions struct {
	// Status is the converted lead status. Default "Closed - Converted".
	Status string `yaml:"status"`
	// AccountID and ContactID merge the lead into existing records.
	AccountID *nodes.Interp `yaml:"account_id"`
	ContactID *nodes.Interp `yaml:"contact_id"`
	// OpportunityName names the new opportunity; DoNotCreateOpportunity
	// creates none.
	OpportunityName        *nodes.Interp `yaml:"opportunity_name"`
	DoNotCreateOpportunity bool          `yaml:"do_not_create_opportunity"`
}

// Texts are a node's own versions of what it says; each defaults to the
// phrase table's salesforce.* text (which bot.yaml's messages: overrides
// for the whole bot).
type Texts struct {
	FieldRejected nodes.Text `yaml:"field_rejected"` // before asking again
	Duplicate     nodes.Text `yaml:"duplicate"`
	NotFound      nodes.Text `yaml:"not_found"`
	Unavailable   nodes.Text `yaml:"unavailable"` // with the try-again offer
	Limit         nodes.Text `yaml:"limit"`       // the org's API limit reached; also with the offer
	Failed        nodes.Text `yaml:"failed"`
	Uncertain     nodes.Text `yaml:"uncertain"`
}

var (
	apiNameRE    = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,79}$`)
	fieldPathRE  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,79}(\.[A-Za-z][A-Za-z0-9_]{0,79}){0,4}$`)
	versionRE    = regexp.MustCompile(`^[1-9][0-9]\.0$`)
	orderByRE    = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9_.]{0,200})( (?i:asc|desc))?( (?i:nulls first|nulls last))?$`)
	convertState = regexp.MustCompile(`^[^\r\n'"\\<>&]{1,80}$`)
)

// Provision fills in defaults and compiles fields and filters.
func (a *Action) Provision(h *nodes.Host) error {
	a.Operation = strings.TrimSpace(a.Operation)
	if a.Operation == OpConvertLead && a.Object == "" {
		a.Object = "Lead"
	}
	if a.Auth == "" {
		a.Auth = DefaultAuth
	}
	if a.APIVersion == "" {
		a.APIVersion = h.APIVersions[a.Auth]
	}
	if a.APIVersion == "" {
		a.APIVersion = DefaultAPIVersion
	}
	a.timeout = a.Timeout
	if a.timeout == 0 {
		a.timeout = defaultTimeout
	}
	if a.Limit == 0 {
		a.Limit = defaultLimit
	}
	if err := h.CheckAuthProfile(a.Auth); err != nil {
		return err
	}
	if err := a.provisionFields(); err != nil {
		return err
	}
	var err error
	if a.where, err = parseConditions("where", &a.Where); err != nil {
		return err
	}
	a.anyOf = a.anyOf[:0]
	for i := range a.AnyOf {
		c, err := parseConditions(fmt.Sprintf("any_of[%d]", i), &a.AnyOf[i])
		if err != nil {
			return err
		}
		a.anyOf = append(a.anyOf, c)
	}
	a.matchOn = a.defaultMatchOn()
	return nil
}

// provisionFields compiles Fields into a body and keeps its keys.
func (a *Action) provisionFields() error {
	a.fields, a.fieldKeys = nil, nil
	if a.Fields.Kind == 0 || a.Fields.ShortTag() == "!!null" {
		return nil
	}
	if a.Fields.Kind != yaml.MappingNode {
		return fmt.Errorf("fields (line %d): want a map of field names to values", a.Fields.Line)
	}
	for i := 0; i+1 < len(a.Fields.Content); i += 2 {
		k, v := a.Fields.Content[i], a.Fields.Content[i+1]
		if !apiNameRE.MatchString(k.Value) {
			return fmt.Errorf("fields.%s (line %d): not a Salesforce field name", k.Value, k.Line)
		}
		if v.Kind != yaml.ScalarNode {
			return fmt.Errorf("fields.%s (line %d): want one value (a template, number, boolean or null)", k.Value, k.Line)
		}
		a.fieldKeys = append(a.fieldKeys, k.Value)
	}
	var b nodes.Body
	if err := b.UnmarshalYAML(&a.Fields); err != nil {
		return fmt.Errorf("fields (line %d): %w", a.Fields.Line, err)
	}
	a.fields = &b
	return nil
}

// naturalKeys are the fields that identify a record an earlier create
// made, by object.
var naturalKeys = map[string]string{
	"Lead": "Email", "Contact": "Email", "Account": "Name", "Campaign": "Name", "Opportunity": "Name",
}

func (a *Action) defaultMatchOn() []string {
	if a.MatchOn != nil {
		return *a.MatchOn
	}
	if k, ok := naturalKeys[a.Object]; ok && a.Operation == OpCreate && slices.Contains(a.fieldKeys, k) {
		return []string{k}
	}
	return nil
}

// Validate checks that the operation has what it needs and nothing it
// would ignore.
func (a *Action) Validate() error {
	if !slices.Contains(operations, a.Operation) {
		return fmt.Errorf("operation %q: must be one of %s", a.Operation, strings.Join(operations, ", "))
	}
	if !apiNameRE.MatchString(a.Object) {
		if a.Object == "" {
			return errors.New("object is required (an sObject name such as Lead)")
		}
		return fmt.Errorf("object %q: not a Salesforce object name", a.Object)
	}
	if !versionRE.MatchString(a.APIVersion) {
		return fmt.Errorf("api_version %q: want a version such as %s", a.APIVersion, DefaultAPIVersion)
	}
	if a.Timeout < 0 || a.Timeout > maxTimeout || (a.Timeout != 0 && a.Timeout < 10*time.Millisecond) {
		return fmt.Errorf("timeout %s: want a duration from 10ms to %s", a.Timeout, maxTimeout)
	}
	if a.Limit < 1 || a.Limit > maxLimit {
		return fmt.Errorf("limit %d: want 1 to %d", a.Limit, maxLimit)
	}
	if err := a.validateUse(); err != nil {
		return err
	}
	if err := a.validatePhone(); err != nil {
		return err
	}
	return a.validateNames()
}

// validateUse checks which settings the operation takes.
func (a *Action) validateUse() error {
	uses := map[string]bool{
		"fields":      a.fields != nil,
		"record_id":   !a.RecordID.IsZero(),
		"external_id": a.ExternalID != nil,
		"where":       len(a.where) > 0 || len(a.anyOf) > 0,
		"search":      !a.Search.IsZero(),
		"search_in":   a.SearchIn != "",
		"convert":     a.Convert != nil,
		"picklists":   len(a.Picklists) > 0,
		"order_by":    a.OrderBy != "",
	}
	needs := map[string][]string{
		OpCreate:      {"fields"},
		OpUpdate:      {"fields", "record_id"},
		OpUpsert:      {"fields", "external_id"},
		OpDelete:      {"record_id"},
		OpGet:         {"record_id"},
		OpFind:        {"where"},
		OpSearch:      {"search"},
		OpConvertLead: {"record_id"},
		OpDescribe:    {},
	}
	takes := map[string][]string{
		OpFind:        {"order_by"},
		OpSearch:      {"search_in"},
		OpConvertLead: {"convert"},
		OpDescribe:    {"picklists"},
	}
	for _, k := range needs[a.Operation] {
		if !uses[k] {
			return fmt.Errorf("operation %s needs %s", a.Operation, k)
		}
	}
	for k, used := range uses {
		if used && !slices.Contains(needs[a.Operation], k) && !slices.Contains(takes[a.Operation], k) {
			return fmt.Errorf("%s is not used by operation %s", k, a.Operation)
		}
	}
	if a.ExternalID != nil && (!apiNameRE.MatchString(a.ExternalID.Field) || a.ExternalID.Value.IsZero()) {
		return errors.New("external_id needs a field name and a value")
	}
	if a.Convert != nil && a.Convert.Status != "" && !convertState.MatchString(a.Convert.Status) {
		return fmt.Errorf("convert.status %q: not a lead status", a.Convert.Status)
	}
	return nil
}

// validateNames checks the field names of select, order_by, match_on,
// picklists and ask_again.
func (a *Action) validateNames() error {
	for _, f := range a.Select {
		if !fieldPathRE.MatchString(f) {
			return fmt.Errorf("select: %q is not a field name", f)
		}
	}
	if a.SearchIn != "" && !slices.Contains([]string{"all", "name", "email", "phone"}, a.SearchIn) {
		return fmt.Errorf("search_in %q: want all, name, email or phone", a.SearchIn)
	}
	if a.OrderBy != "" && !orderByRE.MatchString(a.OrderBy) {
		return fmt.Errorf("order_by %q: want a field, optionally followed by ASC or DESC", a.OrderBy)
	}
	for _, f := range a.matchOn {
		if !slices.Contains(a.fieldKeys, f) {
			return fmt.Errorf("match_on: %s is not one of the fields the create sets", f)
		}
	}
	for _, f := range a.Picklists {
		if !apiNameRE.MatchString(f) {
			return fmt.Errorf("picklists: %q is not a field name", f)
		}
	}
	for f := range a.AskAgain {
		if !apiNameRE.MatchString(f) {
			return fmt.Errorf("ask_again: %q is not a field name", f)
		}
	}
	return nil
}

var (
	_ nodes.Node        = (*Action)(nil)
	_ nodes.InputNode   = (*Action)(nil)
	_ nodes.Provisioner = (*Action)(nil)
	_ nodes.Validator   = (*Action)(nil)
	_ nodes.Returner    = (*Action)(nil)
)

// ReturnsFrom lists the nodes ask_again names: once one has its new
// answer, the dialog goes to retry_from, or comes back here.
func (a *Action) ReturnsFrom() ([]nodes.Target, nodes.Target) {
	out := make([]nodes.Target, 0, len(a.AskAgain))
	for _, tg := range a.AskAgain {
		if !slices.Contains(out, tg) {
			out = append(out, tg)
		}
	}
	slices.Sort(out)
	return out, a.RetryFrom
}
