package sfsim

import (
	"strings"
	"testing"
)

// leadConvertXML is one <leadConverts> element with the given children
// (name, value pairs) and convertedStatus "Closed - Converted".
func leadConvertXML(children ...string) string {
	var b strings.Builder
	b.WriteString("<urn:leadConverts><urn:convertedStatus>Closed - Converted</urn:convertedStatus>")
	for i := 0; i+1 < len(children); i += 2 {
		b.WriteString("<urn:" + children[i] + ">" + children[i+1] + "</urn:" + children[i] + ">")
	}
	b.WriteString("</urn:leadConverts>")
	return b.String()
}

func TestSOAPConvertLeadOntoExistingContactForAnotherOwner(t *testing.T) {
	s, _, _ := newOAuthServer(t)
	sid, u := soapSession(t, s)
	carol := s.userByUsername(tTrusted)
	accID, err := s.createRecord(u, "Account", map[string]any{"Name": "Reuse Co"})
	if err != nil {
		t.Fatal(err)
	}
	conID, err := s.createRecord(u, "Contact", map[string]any{"LastName": "Reuse", "AccountId": accID, "LeadSource": "Phone Inquiry"})
	if err != nil {
		t.Fatal(err)
	}
	leadID := newLead(t, s, u, map[string]any{"LastName": "Reuse", "Company": "Reuse Co", "Title": "CTO", "LeadSource": "Web"})

	results, body := convert(t, s, sid, leadConvertXML("accountId", accID, "contactId", conID, "leadId", leadID,
		"overwriteLeadSource", "true", "ownerId", carol.ID))
	if len(results) != 1 || !results[0].Success {
		t.Fatalf("results = %+v; want one success\n%s", results, body)
	}
	r := results[0]
	if r.AccountID != accID || r.ContactID != conID {
		t.Errorf("account, contact = %s, %s; want the existing %s, %s", r.AccountID, r.ContactID, accID, conID)
	}
	con := s.getRecord("Contact", conID)
	if con["Title"] != "CTO" || con["LeadSource"] != "Web" {
		t.Errorf("contact Title, LeadSource = %v, %v; want CTO (was empty), Web (overwritten)", con["Title"], con["LeadSource"])
	}
	if opp := s.getRecord("Opportunity", r.OpportunityID); opp == nil || opp["OwnerId"] != carol.ID {
		t.Errorf("opportunity = %v; want one owned by ownerId %s", opp, carol.ID)
	}
}

func TestSOAPConvertLeadRefusals(t *testing.T) {
	s, _, _ := newOAuthServer(t)
	sid, u := soapSession(t, s)
	accID, err := s.createRecord(u, "Account", map[string]any{"Name": "Mine Co"})
	if err != nil {
		t.Fatal(err)
	}
	otherAcc, err := s.createRecord(u, "Account", map[string]any{"Name": "Other Co"})
	if err != nil {
		t.Fatal(err)
	}
	otherCon, err := s.createRecord(u, "Contact", map[string]any{"LastName": "Elsewhere", "AccountId": otherAcc})
	if err != nil {
		t.Fatal(err)
	}
	leadID := newLead(t, s, u, map[string]any{"LastName": "Refused", "Company": "Refused Co"})
	const unknownAccount, unknownContact, unknownUser = "001000000000099AAA", "003000000000099AAA", "005000000000099AAA"

	tests := []struct {
		name      string
		convert   string
		wantCode  string
		wantInMsg string
	}{
		{"blank lead id", leadConvertXML("leadId", " "), "REQUIRED_FIELD_MISSING", "[LeadId]"},
		{"unknown owner", leadConvertXML("leadId", leadID, "ownerId", unknownUser), "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id"},
		{"unknown account", leadConvertXML("accountId", unknownAccount, "leadId", leadID), "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id"},
		{"unknown contact", leadConvertXML("accountId", accID, "contactId", unknownContact, "leadId", leadID), "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id"},
		{"contact of another account", leadConvertXML("accountId", accID, "contactId", otherCon, "leadId", leadID), "INVALID_CROSS_REFERENCE_KEY", "must be associated with the account"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			results, body := convert(t, s, sid, tc.convert)
			if len(results) != 1 || results[0].Success || len(results[0].Errors) != 1 {
				t.Fatalf("results = %+v; want one failure\n%s", results, body)
			}
			got := results[0].Errors[0]
			if got.StatusCode != tc.wantCode || !strings.Contains(got.Message, tc.wantInMsg) {
				t.Errorf("error = %s %q; want %s with %q", got.StatusCode, got.Message, tc.wantCode, tc.wantInMsg)
			}
		})
	}
	if lead := s.getRecord("Lead", leadID); lead["IsConverted"] != false {
		t.Errorf("lead IsConverted = %v after refused conversions; want false", lead["IsConverted"])
	}
}
