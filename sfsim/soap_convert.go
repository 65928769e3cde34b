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

// convertLeadLocked does the work of convertLead; the caller holds s.mu.
func (s *Server) convertLeadLocked(u *User, lc leadConvert, created *[]*row) (leadConvertResult, *APIError) {
	var res leadConvertResult
	leadDef, accDef, conDef, oppDef := s.db.schema.object("Lead"), s.db.schema.object("Account"),
		s.db.schema.object("Contact"), s.db.schema.object("Opportunity")
	if strings.TrimSpace(lc.LeadID) == "" {
		return res, badRequest("REQUIRED_FIELD_MISSING", "Required fields are missing: [LeadId]", "LeadId")
	}
	leadRow := s.liveRowLocked("Lead", lc.LeadID)
	if leadRow == nil {
		return res, errCrossRef()
	}
	lead := leadRow.f
	if lead["IsConverted"] == true {
		return res, badRequest("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead")
	}
	status, ok := s.convertedStatusLocked(lc.ConvertedStatus)
	if !ok {
		return res, badRequest("INVALID_STATUS", "invalid convertedStatus: "+lc.ConvertedStatus)
	}
	owner := u
	if lc.OwnerID != "" {
		if owner = s.userByIDLocked(lc.OwnerID); owner == nil {
			return res, errCrossRef()
		}
	} else if id, _ := lead["OwnerId"].(string); id != "" {
		if o := s.userByIDLocked(id); o != nil {
			owner = o
		}
	}
	opts := writeOpts{user: u, version: defaultVersion}

	// Account: reuse and fill its empty fields, or create one from the lead.
	if lc.AccountID != "" {
		acc := s.liveRowLocked("Account", lc.AccountID)
		if acc == nil {
			return res, errCrossRef()
		}
		if err := s.fillEmptyLocked(accDef, acc, lead, leadToAccount, false, opts); err != nil {
			return res, err
		}
		res.AccountID = acc.f["Id"].(string)
	} else {
		f := copyMapped(lead, leadToAccount, accDef)
		f["OwnerId"] = owner.ID
		id, err := s.createTrackedLocked(accDef, f, writeOpts{user: u, version: defaultVersion, allowDuplicates: lc.BypassAccountDedupe}, created)
		if err != nil {
			return res, err
		}
		res.AccountID = id
	}

	// Contact: reuse (it must belong to the account) or create.
	if lc.ContactID != "" {
		con := s.liveRowLocked("Contact", lc.ContactID)
		if con == nil {
			return res, errCrossRef()
		}
		if a, _ := con.f["AccountId"].(string); a != "" && !sameID(a, res.AccountID) {
			return res, badRequest("INVALID_CROSS_REFERENCE_KEY", "The contact must be associated with the account")
		}
		if err := s.fillEmptyLocked(conDef, con, lead, leadToContact, lc.OverwriteLeadSource, opts); err != nil {
			return res, err
		}
		res.ContactID = con.f["Id"].(string)
	} else {
		f := copyMapped(lead, leadToContact, conDef)
		f["AccountId"], f["OwnerId"] = res.AccountID, owner.ID
		id, err := s.createTrackedLocked(conDef, f, writeOpts{user: u, version: defaultVersion, allowDuplicates: lc.BypassContactDedupe}, created)
		if err != nil {
			return res, err
		}
		res.ContactID = id
	}

	// Opportunity, unless asked not to.
	if !lc.DoNotCreateOpportunity {
		name := lc.OpportunityName
		if name == "" {
			company, _ := lead["Company"].(string)
			name = company + "-"
		}
		f := map[string]any{
			"Name": name, "StageName": convertOpportunityStage, "CloseDate": quarterEnd(s.now()),
			"AccountId": res.AccountID, "OwnerId": owner.ID,
		}
		if src, ok := lead["LeadSource"]; ok && src != nil {
			f["LeadSource"] = src
		}
		id, err := s.createTrackedLocked(oppDef, f, opts, created)
		if err != nil {
			return res, err
		}
		res.OpportunityID = id
	}

	// Finally mark the lead converted.
	changes := map[string]any{
		"IsConverted": true, "Status": status, "ConvertedDate": s.now().UTC().Format("2006-01-02"),
		"ConvertedAccountId": res.AccountID, "ConvertedContactId": res.ContactID,
		"ConvertedOpportunityId": nilIfEmpty(res.OpportunityID),
	}
	ts := formatDateTime(s.now())
	changes["LastModifiedDate"], changes["SystemModstamp"], changes["LastModifiedById"] = ts, ts, u.ID
	s.db.table(leadDef.Name).update(leadRow, changes)
	res.LeadID = lead["Id"].(string)
	return res, nil
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
