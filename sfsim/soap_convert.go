package sfsim

import (
	"net/http"
	"strings"
	"time"
)

// leadConvert is one LeadConvert of a convertLead call.
type leadConvert struct {
	AccountID              string `xml:"accountId"`
	ContactID              string `xml:"contactId"`
	ConvertedStatus        string `xml:"convertedStatus"`
	DoNotCreateOpportunity bool   `xml:"doNotCreateOpportunity"`
	LeadID                 string `xml:"leadId"`
	OpportunityName        string `xml:"opportunityName"`
	OverwriteLeadSource    bool   `xml:"overwriteLeadSource"`
	OwnerID                string `xml:"ownerId"`
	SendNotificationEmail  bool   `xml:"sendNotificationEmail"`
	BypassAccountDedupe    bool   `xml:"bypassAccountDedupeCheck"`
	BypassContactDedupe    bool   `xml:"bypassContactDedupeCheck"`
}

// leadConvertResult is one LeadConvertResult.
type leadConvertResult struct {
	AccountID, ContactID, LeadID, OpportunityID string
	Err                                         *APIError
}

// maxLeadConverts is the number of LeadConvert entries one call may carry.
const maxLeadConverts = 100

// Lead fields copied to the records a conversion creates (lead field ->
// target field). Existing targets only get fields that are empty there.
var (
	leadToAccount = [][2]string{
		{"Company", "Name"}, {"Phone", "Phone"}, {"Website", "Website"}, {"Industry", "Industry"},
		{"Street", "BillingStreet"}, {"City", "BillingCity"}, {"State", "BillingState"},
		{"PostalCode", "BillingPostalCode"}, {"Country", "BillingCountry"},
		{"NumberOfEmployees", "NumberOfEmployees"}, {"AnnualRevenue", "AnnualRevenue"},
	}
	leadToContact = [][2]string{
		{"FirstName", "FirstName"}, {"LastName", "LastName"}, {"Salutation", "Salutation"}, {"Title", "Title"},
		{"Email", "Email"}, {"Phone", "Phone"}, {"MobilePhone", "MobilePhone"}, {"LeadSource", "LeadSource"},
		{"Description", "Description"}, {"Street", "MailingStreet"}, {"City", "MailingCity"},
		{"State", "MailingState"}, {"PostalCode", "MailingPostalCode"}, {"Country", "MailingCountry"},
	}
)

// Default stage of an opportunity made by a conversion.
const convertOpportunityStage = "Prospecting"

// soapConvertLead runs convertLead for the session's user. Each LeadConvert
// succeeds or fails on its own; a failed one leaves no records behind.
func (s *Server) soapConvertLead(w http.ResponseWriter, r *http.Request, g *Grant, op soapOp) {
	var in struct {
		Converts []leadConvert `xml:"leadConverts"`
	}
	if err := decodeOp(op, &in); err != nil {
		writeSOAPFault(w, faultClient("Unable to parse the convertLead request"))
		return
	}
	if len(in.Converts) > maxLeadConverts {
		const m = "Maximum number of LeadConvert objects allowed is 100"
		writeSOAPFault(w, &soapFault{Code: "sf:EXCEEDED_ID_LIMIT", String: "EXCEEDED_ID_LIMIT: " + m,
			DetailType: "ApiFault", Exception: "EXCEEDED_ID_LIMIT", Message: m})
		return
	}
	var b xmlBuilder
	b.open("convertLeadResponse")
	for _, lc := range in.Converts {
		res := s.convertLead(g.User, lc)
		b.open("result")
		b.optElem("accountId", res.AccountID)
		b.optElem("contactId", res.ContactID)
		if res.Err != nil {
			b.open("errors")
			for _, f := range res.Err.Fields {
				b.elem("fields", f)
			}
			b.elem("message", res.Err.Message)
			b.elem("statusCode", res.Err.Code)
			b.close("errors")
		}
		b.optElem("leadId", res.LeadID)
		b.optElem("opportunityId", res.OpportunityID)
		b.nilElem("relatedPersonAccountId")
		b.elem("success", boolText(res.Err == nil))
		b.close("result")
	}
	b.close("convertLeadResponse")
	writeSOAPBody(w, b.String())
}

func boolText(v bool) string {
	if v {
		return "true"
	}
	return "false"
}

// convertLead converts one lead under the write lock, rolling back the
// records it created when a later step fails.
func (s *Server) convertLead(u *User, lc leadConvert) leadConvertResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	var created []*row
	res, err := s.convertLeadLocked(u, lc, &created)
	if err != nil {
		for i := len(created) - 1; i >= 0; i-- {
			s.dropRowLocked(created[i])
		}
		return leadConvertResult{Err: err}
	}
	s.dirty = true
	return res
}

// errCrossRef is the error for an id that names no usable record.
func errCrossRef() *APIError {
	return badRequest("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
}

// leadConversion is one LeadConvert under way: the lead, the user running
// it, the owner of the records it creates and the rows created so far.
type leadConversion struct {
	lc      leadConvert
	lead    *row
	user    *User
	owner   *User
	created *[]*row
}

// writeOpts are the options of the conversion's writes; allowDuplicates
// bypasses the duplicate rules for a record the conversion creates.
func (c *leadConversion) writeOpts(allowDuplicates bool) writeOpts {
	return writeOpts{user: c.user, version: defaultVersion, allowDuplicates: allowDuplicates}
}

// convertLeadLocked does the work of convertLead; the caller holds s.mu.
func (s *Server) convertLeadLocked(u *User, lc leadConvert, created *[]*row) (leadConvertResult, *APIError) {
	var res leadConvertResult
	leadRow, status, err := s.convertibleLeadLocked(lc)
	if err != nil {
		return res, err
	}
	owner, err := s.conversionOwnerLocked(u, lc.OwnerID, leadRow.f)
	if err != nil {
		return res, err
	}
	c := &leadConversion{lc: lc, lead: leadRow, user: u, owner: owner, created: created}
	if res.AccountID, err = s.convertToAccountLocked(c); err != nil {
		return res, err
	}
	if res.ContactID, err = s.convertToContactLocked(c, res.AccountID); err != nil {
		return res, err
	}
	if !lc.DoNotCreateOpportunity {
		if res.OpportunityID, err = s.convertToOpportunityLocked(c, res.AccountID); err != nil {
			return res, err
		}
	}
	s.markLeadConvertedLocked(c, status, res)
	res.LeadID = leadRow.f["Id"].(string)
	return res, nil
}

// convertibleLeadLocked finds the live, not yet converted lead of lc and
// the Lead.Status its convertedStatus stands for.
func (s *Server) convertibleLeadLocked(lc leadConvert) (*row, string, *APIError) {
	if strings.TrimSpace(lc.LeadID) == "" {
		return nil, "", badRequest("REQUIRED_FIELD_MISSING", "Required fields are missing: [LeadId]", "LeadId")
	}
	leadRow := s.liveRowLocked("Lead", lc.LeadID)
	if leadRow == nil {
		return nil, "", errCrossRef()
	}
	if leadRow.f["IsConverted"] == true {
		return nil, "", badRequest("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead")
	}
	status, ok := s.convertedStatusLocked(lc.ConvertedStatus)
	if !ok {
		return nil, "", badRequest("INVALID_STATUS", "invalid convertedStatus: "+lc.ConvertedStatus)
	}
	return leadRow, status, nil
}

// conversionOwnerLocked is the owner of the records a conversion creates:
// the ownerId asked for (which must exist), else the lead's owner when it
// is a known user, else the user running the conversion.
func (s *Server) conversionOwnerLocked(u *User, ownerID string, lead map[string]any) (*User, *APIError) {
	if ownerID != "" {
		owner := s.userByIDLocked(ownerID)
		if owner == nil {
			return nil, errCrossRef()
		}
		return owner, nil
	}
	if id, _ := lead["OwnerId"].(string); id != "" {
		if o := s.userByIDLocked(id); o != nil {
			return o, nil
		}
	}
	return u, nil
}

// convertToAccountLocked reuses the account asked for, filling its empty
// fields from the lead, or creates one from the lead; it returns its id.
func (s *Server) convertToAccountLocked(c *leadConversion) (string, *APIError) {
	accDef := s.db.schema.object("Account")
	if c.lc.AccountID != "" {
		acc := s.liveRowLocked("Account", c.lc.AccountID)
		if acc == nil {
			return "", errCrossRef()
		}
		if err := s.fillEmptyLocked(accDef, acc, c.lead.f, leadToAccount, false, c.writeOpts(false)); err != nil {
			return "", err
		}
		return acc.f["Id"].(string), nil
	}
	f := copyMapped(c.lead.f, leadToAccount, accDef)
	f["OwnerId"] = c.owner.ID
	return s.createTrackedLocked(accDef, f, c.writeOpts(c.lc.BypassAccountDedupe), c.created)
}

// convertToContactLocked reuses the contact asked for, which must belong
// to the account, filling its empty fields from the lead, or creates one
// on the account; it returns its id.
func (s *Server) convertToContactLocked(c *leadConversion, accountID string) (string, *APIError) {
	conDef := s.db.schema.object("Contact")
	if c.lc.ContactID != "" {
		con := s.liveRowLocked("Contact", c.lc.ContactID)
		if con == nil {
			return "", errCrossRef()
		}
		if a, _ := con.f["AccountId"].(string); a != "" && !sameID(a, accountID) {
			return "", badRequest("INVALID_CROSS_REFERENCE_KEY", "The contact must be associated with the account")
		}
		if err := s.fillEmptyLocked(conDef, con, c.lead.f, leadToContact, c.lc.OverwriteLeadSource, c.writeOpts(false)); err != nil {
			return "", err
		}
		return con.f["Id"].(string), nil
	}
	f := copyMapped(c.lead.f, leadToContact, conDef)
	f["AccountId"], f["OwnerId"] = accountID, c.owner.ID
	return s.createTrackedLocked(conDef, f, c.writeOpts(c.lc.BypassContactDedupe), c.created)
}

// convertToOpportunityLocked creates the opportunity on the account, named
// as asked or after the lead's company ("Acme-"), closing at the end of the
// quarter; it returns its id.
func (s *Server) convertToOpportunityLocked(c *leadConversion, accountID string) (string, *APIError) {
	name := c.lc.OpportunityName
	if name == "" {
		company, _ := c.lead.f["Company"].(string)
		name = company + "-"
	}
	f := map[string]any{
		"Name": name, "StageName": convertOpportunityStage, "CloseDate": quarterEnd(s.now()),
		"AccountId": accountID, "OwnerId": c.owner.ID,
	}
	if src, ok := c.lead.f["LeadSource"]; ok && src != nil {
		f["LeadSource"] = src
	}
	return s.createTrackedLocked(s.db.schema.object("Opportunity"), f, c.writeOpts(false), c.created)
}

// markLeadConvertedLocked sets the lead's conversion fields to the records
// of res, the last step of a conversion.
func (s *Server) markLeadConvertedLocked(c *leadConversion, status string, res leadConvertResult) {
	changes := map[string]any{
		"IsConverted": true, "Status": status, "ConvertedDate": s.now().UTC().Format("2006-01-02"),
		"ConvertedAccountId": res.AccountID, "ConvertedContactId": res.ContactID,
		"ConvertedOpportunityId": nilIfEmpty(res.OpportunityID),
	}
	ts := formatDateTime(s.now())
	changes["LastModifiedDate"], changes["SystemModstamp"], changes["LastModifiedById"] = ts, ts, c.user.ID
	s.db.table("Lead").update(c.lead, changes)
}

// convertedStatusLocked finds a LeadStatus with IsConverted=true by label or
// API name and returns the value to store in Lead.Status.
func (s *Server) convertedStatusLocked(name string) (string, bool) {
	if name == "" {
		return "", false
	}
	t := s.db.table("LeadStatus")
	if t == nil {
		return "", false
	}
	for _, r := range t.rows {
		if r.deleted || r.f["IsConverted"] != true {
			continue
		}
		label, _ := r.f["MasterLabel"].(string)
		api, _ := r.f["ApiName"].(string)
		if strings.EqualFold(label, name) || strings.EqualFold(api, name) {
			return label, true
		}
	}
	return "", false
}

// liveRowLocked finds a live record by id.
func (s *Server) liveRowLocked(object, id string) *row {
	t := s.db.table(object)
	if t == nil {
		return nil
	}
	r := t.get(id)
	if r == nil || r.deleted {
		return nil
	}
	return r
}

// userByIDLocked is userByID for callers holding s.mu.
func (s *Server) userByIDLocked(id string) *User {
	k, ok := idKey(id)
	if !ok {
		return nil
	}
	for _, u := range s.org.Users {
		if uk, _ := idKey(u.ID); uk == k {
			return u
		}
	}
	return nil
}

// createTrackedLocked creates a record and remembers its row for rollback.
func (s *Server) createTrackedLocked(o *objectDef, f map[string]any, opt writeOpts, created *[]*row) (string, *APIError) {
	id, err := s.createLocked(o, f, opt)
	if err != nil {
		return "", err
	}
	*created = append(*created, s.db.table(o.Name).get(id))
	return id, nil
}

// fillEmptyLocked copies lead values into the empty fields of an existing
// record (LeadSource too when overwriteSource is set).
func (s *Server) fillEmptyLocked(o *objectDef, r *row, lead map[string]any, mapping [][2]string, overwriteSource bool, opt writeOpts) *APIError {
	changes := map[string]any{}
	for _, m := range mapping {
		v := lead[m[0]]
		if isBlank(v) || o.field(m[1]) == nil || m[1] == "Name" && o.Name == "Account" {
			continue
		}
		if isBlank(r.f[m[1]]) || (overwriteSource && m[1] == "LeadSource") {
			changes[m[1]] = v
		}
	}
	if len(changes) == 0 {
		return nil
	}
	// Conversion may complete a record a user could not: no duplicate check.
	opt.allowDuplicates = true
	return s.updateLocked(o, r, changes, opt)
}

// copyMapped builds the fields of a new record from the lead.
func copyMapped(lead map[string]any, mapping [][2]string, o *objectDef) map[string]any {
	f := map[string]any{}
	for _, m := range mapping {
		if v := lead[m[0]]; !isBlank(v) && o.field(m[1]) != nil {
			f[m[1]] = v
		}
	}
	return f
}

// dropRowLocked removes a row created by a conversion that failed later, so
// that not even queryAll sees it (a rolled-back transaction leaves nothing).
func (s *Server) dropRowLocked(r *row) {
	id, _ := r.f["Id"].(string)
	t := s.db.schema.objectForID(id)
	if t == nil {
		return
	}
	tbl := s.db.table(t.Name)
	if !r.deleted {
		tbl.indexRemove(r)
		tbl.live--
	}
	k, _ := idKey(id)
	delete(tbl.byID, k)
	for i := len(tbl.rows) - 1; i >= 0; i-- {
		if tbl.rows[i] == r {
			tbl.rows = append(tbl.rows[:i], tbl.rows[i+1:]...)
			break
		}
	}
}

func sameID(a, b string) bool {
	ka, ok1 := idKey(a)
	kb, ok2 := idKey(b)
	return ok1 && ok2 && ka == kb
}

// quarterEnd is the last day of t's calendar quarter, the close date of an
// opportunity created by a conversion.
func quarterEnd(t time.Time) string {
	t = t.UTC()
	firstOfNext := time.Date(t.Year(), time.Month((int(t.Month())-1)/3*3+4), 1, 0, 0, 0, 0, time.UTC)
	return firstOfNext.AddDate(0, 0, -1).Format("2006-01-02")
}
