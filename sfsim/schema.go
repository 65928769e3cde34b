package sfsim

import (
	"sort"
	"strings"
	"unicode"
)

// fieldDef describes one field of an object, with the describe attributes
// validation needs.
type fieldDef struct {
	Name             string
	Label            string
	Type             string // id, string, textarea, email, phone, url, picklist, combobox, reference, boolean, int, double, currency, percent, date, datetime
	Length           int
	Nillable         bool
	Createable       bool
	Updateable       bool
	Defaulted        bool
	Default          any
	ExternalID       bool
	Unique           bool
	IDLookup         bool
	Custom           bool
	ReferenceTo      []string
	RelationshipName string // parent relationship, e.g. Account for AccountId
	ChildName        string // relationship name seen from the parent, e.g. Contacts
	Picklist         []string
	Restricted       bool
	Indexed          bool // kept in a value index (Email, Phone, external ids)
}

// required reports the describe rule for "required on create".
func (f *fieldDef) required() bool { return f.Createable && !f.Nillable && !f.Defaulted }

// objectDef is one sObject type.
type objectDef struct {
	Name        string
	Label       string
	LabelPlural string
	KeyPrefix   string
	Createable  bool
	Updateable  bool
	Deletable   bool
	Fields      []*fieldDef
	byLower     map[string]*fieldDef
	relByLower  map[string]*fieldDef // parent relationship name -> reference field
	children    []childRel
}

type childRel struct {
	Child string // child object
	Field string // reference field on the child
	Name  string // relationship name
}

func (o *objectDef) field(name string) *fieldDef { return o.byLower[strings.ToLower(name)] }

// label turns an API name into a readable label: AccountId -> Account ID.
func label(name string) string {
	name = strings.TrimSuffix(name, "__c")
	if strings.HasSuffix(name, "Id") && len(name) > 2 {
		return label(name[:len(name)-2]) + " ID"
	}
	var b strings.Builder
	rs := []rune(name)
	for i, r := range rs {
		if i > 0 && unicode.IsUpper(r) && (unicode.IsLower(rs[i-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]))) {
			b.WriteByte(' ')
		}
		if r == '_' {
			r = ' '
		}
		b.WriteRune(r)
	}
	return b.String()
}

// field constructors: a small DSL for the schema table below.
type fb struct{ f *fieldDef }

func fld(name, typ string, length int) fb {
	return fb{&fieldDef{Name: name, Type: typ, Length: length, Nillable: true, Createable: true, Updateable: true}}
}
func (b fb) req() fb        { b.f.Nillable = false; return b }
func (b fb) ro() fb         { b.f.Createable, b.f.Updateable = false, false; return b }
func (b fb) createOnly() fb { b.f.Updateable = false; return b }
func (b fb) def(v any) fb {
	b.f.Defaulted, b.f.Default, b.f.Nillable = true, v, false
	return b
}
func (b fb) pick(restricted bool, vals ...string) fb {
	b.f.Picklist, b.f.Restricted = vals, restricted
	return b
}
func (b fb) ref(rel, child string, to ...string) fb {
	b.f.ReferenceTo, b.f.RelationshipName, b.f.ChildName = to, rel, child
	b.f.Length = 18
	return b
}
func (b fb) idx() fb         { b.f.Indexed = true; return b }
func (b fb) lbl(l string) fb { b.f.Label = l; return b }

func str(name string, n int) fb      { return fld(name, "string", n) }
func email(name string) fb           { return fld(name, "email", 80).idx() }
func phone(name string) fb           { return fld(name, "phone", 40).idx() }
func textarea(name string, n int) fb { return fld(name, "textarea", n) }
func boolean(name string, v bool) fb { return fld(name, "boolean", 0).def(v) }
func date(name string) fb            { return fld(name, "date", 0) }
func datetime(name string) fb        { return fld(name, "datetime", 0) }
func num(name, typ string) fb        { return fld(name, typ, 0) }
func picklist(name string, restricted bool, vals ...string) fb {
	return fld(name, "picklist", 255).pick(restricted, vals...)
}

const (
	leadStatusDefault   = "Open - Not Contacted"
	leadStatusConverted = "Closed - Converted"
)

var leadSources = []string{"Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"}
var industries = []string{"Agriculture", "Banking", "Communications", "Consulting", "Education", "Energy", "Finance", "Healthcare", "Insurance", "Manufacturing", "Media", "Retail", "Technology", "Telecommunications", "Transportation", "Other"}

// standardObjects returns fresh definitions of the objects sfsim serves.
func standardObjects() []*objectDef {
	owned := func(fs ...fb) []fb {
		return append(fs, fld("OwnerId", "reference", 18).def(nil).ref("Owner", "", "User"))
	}
	crud := func(name, prefix, plural string, fs []fb) *objectDef {
		return newObject(name, prefix, plural, true, true, true, fs)
	}
	objs := []*objectDef{
		crud("Account", prefixAccount, "Accounts", owned(
			str("Name", 255).req().lbl("Account Name"), phone("Phone"), fld("Website", "url", 255),
			picklist("Industry", false, industries...), picklist("Type", false, "Prospect", "Customer - Direct", "Customer - Channel", "Partner", "Other"),
			str("AccountNumber", 40), textarea("BillingStreet", 255), str("BillingCity", 40), str("BillingState", 80),
			str("BillingPostalCode", 20), str("BillingCountry", 80), num("NumberOfEmployees", "int"), num("AnnualRevenue", "currency"),
			textarea("Description", 32000), fld("ParentId", "reference", 18).ref("Parent", "ChildAccounts", "Account"),
		)),
		crud("Contact", prefixContact, "Contacts", owned(
			str("FirstName", 40), str("LastName", 80).req(), str("Name", 121).ro().lbl("Full Name"), str("Salutation", 40),
			fld("AccountId", "reference", 18).ref("Account", "Contacts", "Account"), email("Email"), phone("Phone"), phone("MobilePhone"),
			str("Title", 128), str("Department", 80), picklist("LeadSource", false, leadSources...), date("Birthdate"),
			textarea("MailingStreet", 255), str("MailingCity", 40), str("MailingState", 80), str("MailingPostalCode", 20), str("MailingCountry", 80),
			textarea("Description", 32000),
		)),
		crud("Lead", prefixLead, "Leads", owned(
			str("FirstName", 40), str("LastName", 80).req(), str("Name", 121).ro().lbl("Full Name"), str("Salutation", 40),
			str("Company", 255).req(), str("Title", 128), email("Email"), phone("Phone"), phone("MobilePhone"), fld("Website", "url", 255),
			picklist("LeadSource", false, leadSources...),
			picklist("Status", true, leadStatusDefault, "Working - Contacted", leadStatusConverted, "Closed - Not Converted").def(leadStatusDefault).lbl("Lead Status"),
			picklist("Industry", false, industries...), picklist("Rating", false, "Hot", "Warm", "Cold"),
			textarea("Street", 255), str("City", 40), str("State", 80), str("PostalCode", 20), str("Country", 80),
			num("NumberOfEmployees", "int"), num("AnnualRevenue", "currency"), textarea("Description", 32000),
			boolean("IsConverted", false).ro().lbl("Converted"), date("ConvertedDate").ro(),
			fld("ConvertedAccountId", "reference", 18).ro().ref("ConvertedAccount", "", "Account"),
			fld("ConvertedContactId", "reference", 18).ro().ref("ConvertedContact", "", "Contact"),
			fld("ConvertedOpportunityId", "reference", 18).ro().ref("ConvertedOpportunity", "", "Opportunity"),
		)),
		crud("Opportunity", prefixOpportunity, "Opportunities", owned(
			str("Name", 120).req(), picklist("StageName", true, "Prospecting", "Qualification", "Needs Analysis", "Value Proposition", "Id. Decision Makers", "Perception Analysis", "Proposal/Price Quote", "Negotiation/Review", "Closed Won", "Closed Lost").req().lbl("Stage"),
			date("CloseDate").req(), fld("AccountId", "reference", 18).ref("Account", "Opportunities", "Account"),
			num("Amount", "currency"), num("Probability", "percent"), picklist("LeadSource", false, leadSources...),
			picklist("Type", false, "Existing Customer - Upgrade", "Existing Customer - Replacement", "Existing Customer - Downgrade", "New Customer"),
			str("NextStep", 255), textarea("Description", 32000), boolean("IsClosed", false).ro().lbl("Closed"), boolean("IsWon", false).ro().lbl("Won"),
			fld("CampaignId", "reference", 18).ref("Campaign", "Opportunities", "Campaign"),
		)),
		crud("Case", prefixCase, "Cases", owned(
			str("CaseNumber", 30).ro().def(nil).lbl("Case Number"), str("Subject", 255), textarea("Description", 32000),
			picklist("Status", true, "New", "Working", "Escalated", "Closed").def("New"),
			picklist("Origin", false, "Email", "Phone", "Web").lbl("Case Origin"),
			picklist("Priority", false, "High", "Medium", "Low").def("Medium"),
			picklist("Type", false, "Question", "Problem", "Feature Request"), picklist("Reason", false, "Installation", "Equipment Complexity", "Performance", "Breakdown", "Equipment Design", "Feedback", "Other"),
			fld("ContactId", "reference", 18).ref("Contact", "Cases", "Contact"),
			fld("AccountId", "reference", 18).ref("Account", "Cases", "Account"),
			fld("SuppliedEmail", "email", 80).lbl("Web Email"), str("SuppliedName", 80).lbl("Web Name"), str("SuppliedPhone", 40).lbl("Web Phone"),
			boolean("IsClosed", false).ro().lbl("Closed"), datetime("ClosedDate").ro(),
		)),
		crud("Task", prefixTask, "Tasks", owned(
			fld("Subject", "combobox", 255).pick(false, "Call", "Send Letter", "Send Quote", "Other"),
			fld("WhoId", "reference", 18).ref("Who", "Tasks", "Contact", "Lead").lbl("Name ID"),
			fld("WhatId", "reference", 18).ref("What", "Tasks", "Account", "Opportunity", "Case", "Campaign").lbl("Related To ID"),
			date("ActivityDate").lbl("Due Date Only"), textarea("Description", 32000),
			picklist("Status", true, "Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred").def("Not Started"),
			picklist("Priority", true, "High", "Normal", "Low").def("Normal"),
			picklist("TaskSubtype", false, "Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn").createOnly(),
			num("CallDurationInSeconds", "int").lbl("Call Duration"), picklist("CallType", false, "Internal", "Inbound", "Outbound"),
			str("CallDisposition", 255).lbl("Call Result"), str("CallObject", 255).lbl("Call Object Identifier"),
			boolean("IsClosed", false).ro().lbl("Closed"),
		)),
		crud("Campaign", prefixCampaign, "Campaigns", owned(
			str("Name", 80).req().lbl("Campaign Name"), picklist("Status", false, "Planned", "In Progress", "Completed", "Aborted"),
			picklist("Type", false, "Conference", "Webinar", "Trade Show", "Public Relations", "Partners", "Referral Program", "Advertisement", "Banner Ads", "Direct Mail", "Email", "Telemarketing", "Other"),
			boolean("IsActive", false).lbl("Active"), date("StartDate"), date("EndDate"), textarea("Description", 32000),
		)),
		newObject("User", prefixUser, "Users", false, false, false, []fb{
			str("Username", 80).ro(), email("Email").ro(), str("FirstName", 40).ro(), str("LastName", 80).ro(), str("Name", 121).ro().lbl("Full Name"),
			str("Alias", 8).ro(), boolean("IsActive", true).ro().lbl("Active"), str("TimeZoneSidKey", 40).ro().lbl("Time Zone"),
		}),
		newObject("LeadStatus", prefixLeadStatus, "Lead Status Values", false, false, false, []fb{
			str("MasterLabel", 255).ro().lbl("Master Label"), str("ApiName", 255).ro().lbl("Api Name"), num("SortOrder", "int").ro(),
			boolean("IsDefault", false).ro().lbl("Is Default"), boolean("IsConverted", false).ro().lbl("Is Converted"),
		}),
		newObject("ServicePresenceStatus", prefixServicePresenceStatus, "Presence Statuses", true, true, true, []fb{
			str("DeveloperName", 80).req().lbl("Developer Name"), str("MasterLabel", 80).req().lbl("Status Name"), str("Language", 40),
		}),
		newObject("UserServicePresence", prefixUserServicePresence, "User Presences", false, false, true, owned(
			fld("UserId", "reference", 18).ro().ref("User", "", "User"),
			fld("ServicePresenceStatusId", "reference", 18).ro().ref("ServicePresenceStatus", "", "ServicePresenceStatus"),
			boolean("IsCurrentState", false).ro().lbl("Is Current State"), boolean("IsAway", false).ro().lbl("Is Away"),
			datetime("StatusStartDate").ro(), datetime("StatusEndDate").ro(), num("ConfiguredCapacity", "int").ro(),
			num("AtCapacityDuration", "int").ro(), num("IdleDuration", "int").ro(), num("StatusDuration", "int").ro(),
		)),
	}
	return objs
}

// newObject builds an object with the system fields every object has.
func newObject(name, prefix, plural string, createable, updateable, deletable bool, fs []fb) *objectDef {
	o := &objectDef{Name: name, Label: label(name), LabelPlural: plural, KeyPrefix: prefix,
		Createable: createable, Updateable: updateable, Deletable: deletable}
	if name == "Opportunity" {
		o.LabelPlural = "Opportunities"
	}
	sys := []fb{
		fld("Id", "id", 18).ro().def(nil).lbl("Record ID"),
		boolean("IsDeleted", false).ro().lbl("Deleted"),
	}
	tail := []fb{
		datetime("CreatedDate").ro().def(nil).lbl("Created Date"),
		fld("CreatedById", "reference", 18).ro().def(nil).ref("CreatedBy", "", "User"),
		datetime("LastModifiedDate").ro().def(nil).lbl("Last Modified Date"),
		fld("LastModifiedById", "reference", 18).ro().def(nil).ref("LastModifiedBy", "", "User"),
		datetime("SystemModstamp").ro().def(nil).lbl("System Modstamp"),
	}
	all := append(append(sys, fs...), tail...)
	for _, b := range all {
		o.addField(b.f)
	}
	return o
}

func (o *objectDef) addField(f *fieldDef) {
	if o.byLower == nil {
		o.byLower = map[string]*fieldDef{}
		o.relByLower = map[string]*fieldDef{}
	}
	if f.Label == "" {
		f.Label = label(f.Name)
	}
	if f.Type == "id" || f.ExternalID {
		f.IDLookup = true
	}
	if f.Type == "email" {
		f.IDLookup = true
	}
	if f.ExternalID {
		f.Indexed = true
	}
	o.Fields = append(o.Fields, f)
	o.byLower[strings.ToLower(f.Name)] = f
	if f.RelationshipName != "" {
		o.relByLower[strings.ToLower(f.RelationshipName)] = f
	}
}

// schema is the set of objects of an org.
type schema struct {
	objects map[string]*objectDef // by lower-case name
	names   []string              // canonical names, sorted
}

// newSchema builds the standard schema plus custom fields from the fixture,
// and wires child relationships.
func newSchema(custom map[string][]CustomField) (*schema, error) {
	sc := &schema{objects: map[string]*objectDef{}}
	for _, o := range standardObjects() {
		sc.objects[strings.ToLower(o.Name)] = o
		sc.names = append(sc.names, o.Name)
	}
	sort.Strings(sc.names)
	objNames := make([]string, 0, len(custom))
	for k := range custom {
		objNames = append(objNames, k)
	}
	sort.Strings(objNames)
	for _, on := range objNames {
		o := sc.object(on)
		if o == nil {
			return nil, &FixtureError{Path: "customFields." + on, Msg: "unknown object"}
		}
		for i, cf := range custom[on] {
			if err := cf.validate(); err != nil {
				return nil, &FixtureError{Path: "customFields." + on + "[" + itoa(i) + "]", Msg: err.Error()}
			}
			if o.field(cf.Name) != nil {
				return nil, &FixtureError{Path: "customFields." + on + "[" + itoa(i) + "]", Msg: "field " + cf.Name + " already exists"}
			}
			f := &fieldDef{Name: cf.Name, Label: cf.Label, Type: cf.Type, Length: cf.Length, Nillable: !cf.Required,
				Createable: true, Updateable: true, ExternalID: cf.ExternalID, Unique: cf.Unique, Custom: true, Picklist: cf.Values}
			if f.Type == "string" && f.Length == 0 {
				f.Length = 255
			}
			o.addField(f)
		}
	}
	for _, n := range sc.names {
		o := sc.objects[strings.ToLower(n)]
		for _, f := range o.Fields {
			if f.ChildName == "" {
				continue
			}
			for _, parent := range f.ReferenceTo {
				p := sc.object(parent)
				p.children = append(p.children, childRel{Child: o.Name, Field: f.Name, Name: f.ChildName})
			}
		}
	}
	return sc, nil
}

func (sc *schema) object(name string) *objectDef { return sc.objects[strings.ToLower(name)] }

// objectForID finds the object whose key prefix starts id.
func (sc *schema) objectForID(id string) *objectDef {
	p := prefixOf(id)
	for _, o := range sc.objects {
		if o.KeyPrefix == p {
			return o
		}
	}
	return nil
}
