package sfsim

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/botforge/dialogd/internal/golden"
)

const soapPath = "/services/Soap/u/63.0"

func soapEnv(header, body string) string {
	return `<?xml version="1.0" encoding="utf-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:partner.soap.sforce.com">
<soapenv:Header>` + header + `</soapenv:Header><soapenv:Body>` + body + `</soapenv:Body></soapenv:Envelope>`
}

func soapLoginBody(user, pass string) string {
	return "<urn:login><urn:username>" + user + "</urn:username><urn:password>" + pass + "</urn:password></urn:login>"
}

func sessionHeader(sid string) string {
	return "<urn:SessionHeader><urn:sessionId>" + sid + "</urn:sessionId></urn:SessionHeader>"
}

func soapCall(s *Server, path, envelope string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(envelope))
	req.Header.Set("Content-Type", "text/xml; charset=UTF-8")
	req.Header.Set("SOAPAction", "login")
	req.Host = "127.0.0.1"
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

// loginResult is the part of a loginResponse the tests read.
type loginResult struct {
	ServerURL string `xml:"Body>loginResponse>result>serverUrl"`
	SessionID string `xml:"Body>loginResponse>result>sessionId"`
	UserID    string `xml:"Body>loginResponse>result>userId"`
	OrgID     string `xml:"Body>loginResponse>result>userInfo>organizationId"`
}

var sessionRE = regexp.MustCompile(`<sessionId>[^<]+</sessionId>`)

func TestSOAPLogin(t *testing.T) {
	s, _, _ := newOAuthServer(t)
	rec := soapCall(s, soapPath, soapEnv("", soapLoginBody(tUser, tPassword+tToken)))
	if rec.Code != http.StatusOK {
		t.Fatalf("login: status %d\n%s", rec.Code, rec.Body)
	}
	var res loginResult
	if err := xml.Unmarshal(rec.Body.Bytes(), &res); err != nil {
		t.Fatalf("loginResponse does not parse: %v", err)
	}
	u := s.userByUsername(tUser)
	if res.UserID != u.ID || res.OrgID != s.org.ID {
		t.Errorf("userId %q organizationId %q; want %q %q", res.UserID, res.OrgID, u.ID, s.org.ID)
	}
	if want := "http://127.0.0.1/services/Soap/u/63.0/" + s.org.ID[:15]; res.ServerURL != want {
		t.Errorf("serverUrl = %q; want %q", res.ServerURL, want)
	}
	// The session id is an access token for the REST API too.
	if _, err := s.grantForToken(res.SessionID); err != nil {
		t.Errorf("sessionId is not a live session: %v", err)
	}
	golden.Check(t, filepath.Join("testdata", "soap_login.golden"), []byte(sessionRE.ReplaceAllString(rec.Body.String(), "<sessionId>SESSION</sessionId>")))
}

func TestSOAPFaultsGolden(t *testing.T) {
	s, _, _ := newOAuthServer(t)
	tests := []struct {
		name, path, envelope string
	}{
		{"login wrong password", soapPath, soapEnv("", soapLoginBody(tUser, "wrong"))},
		{"login without security token", soapPath, soapEnv("", soapLoginBody(tUser, tPassword))},
		{"login inactive user", soapPath, soapEnv("", soapLoginBody(tInactive, "bob-Passw0rdBOBtoken"))},
		{"login unknown user", soapPath, soapEnv("", soapLoginBody("ghost@oauth.example", "x"))},
		{"convertLead without session", soapPath, soapEnv("", "<urn:convertLead><urn:leadConverts><urn:leadId>00Q000000000001</urn:leadId></urn:leadConverts></urn:convertLead>")},
		{"convertLead with bad session", soapPath + "/" + s.org.ID[:15], soapEnv(sessionHeader("00Dbogus!x"), "<urn:convertLead/>")},
		{"unknown operation", soapPath, soapEnv("", "<urn:query><urn:queryString>SELECT Id FROM Lead</urn:queryString></urn:query>")},
		{"wrong namespace", soapPath, soapEnv("", `<login xmlns="urn:enterprise.soap.sforce.com"><username>a</username></login>`)},
		{"not xml", soapPath, "hello"},
	}
	var out strings.Builder
	for _, tt := range tests {
		rec := soapCall(s, tt.path, tt.envelope)
		if rec.Code != http.StatusInternalServerError {
			t.Errorf("%s: status %d; want 500 (SOAP fault)", tt.name, rec.Code)
		}
		fmt.Fprintf(&out, "=== %s\nstatus: %d\nContent-Type: %s\n\n%s\n\n", tt.name, rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	golden.Check(t, filepath.Join("testdata", "soap_faults.golden"), []byte(out.String()))
}

// convertResult is one LeadConvertResult as a client reads it.
type convertResult struct {
	AccountID     string `xml:"accountId"`
	ContactID     string `xml:"contactId"`
	LeadID        string `xml:"leadId"`
	OpportunityID string `xml:"opportunityId"`
	Success       bool   `xml:"success"`
	Errors        []struct {
		Message    string `xml:"message"`
		StatusCode string `xml:"statusCode"`
	} `xml:"errors"`
}

func convert(t *testing.T, s *Server, sid, leadConverts string) ([]convertResult, string) {
	t.Helper()
	rec := soapCall(s, soapPath, soapEnv(sessionHeader(sid), "<urn:convertLead>"+leadConverts+"</urn:convertLead>"))
	if rec.Code != http.StatusOK {
		t.Fatalf("convertLead: status %d\n%s", rec.Code, rec.Body)
	}
	var env struct {
		Results []convertResult `xml:"Body>convertLeadResponse>result"`
	}
	if err := xml.Unmarshal(rec.Body.Bytes(), &env); err != nil {
		t.Fatalf("convertLeadResponse does not parse: %v", err)
	}
	return env.Results, rec.Body.String()
}

func soapSession(t *testing.T, s *Server) (string, *User) {
	u := s.userByUsername(tUser)
	return s.issueGrant(u, nil, []string{"api"}, false).AccessToken, u
}

func newLead(t *testing.T, s *Server, u *User, fields map[string]any) string {
	t.Helper()
	id, err := s.createRecord(u, "Lead", fields)
	if err != nil {
		t.Fatalf("create lead: %v", err)
	}
	return id
}

func TestSOAPConvertLeadCreatesAccountContactOpportunity(t *testing.T) {
	s, _, clock := newOAuthServer(t)
	sid, u := soapSession(t, s)
	leadID := newLead(t, s, u, map[string]any{"FirstName": "Ada", "LastName": "Lovelace", "Company": "Analytical Engines",
		"Email": "ada@engines.example", "Phone": "+44 20 5555 0100", "LeadSource": "Web", "City": "London"})

	results, body := convert(t, s, sid, "<urn:leadConverts><urn:convertedStatus>Closed - Converted</urn:convertedStatus><urn:leadId>"+leadID+"</urn:leadId></urn:leadConverts>")
	if len(results) != 1 || !results[0].Success {
		t.Fatalf("results = %+v; want one success\n%s", results, body)
	}
	r := results[0]
	golden.Check(t, filepath.Join("testdata", "soap_convert_lead.golden"), []byte(body))

	lead := s.getRecord("Lead", leadID)
	wantLead := map[string]any{"IsConverted": true, "Status": "Closed - Converted", "ConvertedAccountId": r.AccountID,
		"ConvertedContactId": r.ContactID, "ConvertedOpportunityId": r.OpportunityID, "ConvertedDate": clock.now().Format("2006-01-02")}
	for k, v := range wantLead {
		if lead[k] != v {
			t.Errorf("Lead.%s = %v; want %v", k, lead[k], v)
		}
	}
	acc := s.getRecord("Account", r.AccountID)
	if acc["Name"] != "Analytical Engines" || acc["Phone"] != "+44 20 5555 0100" || acc["BillingCity"] != "London" {
		t.Errorf("account = %v; want Name, Phone and BillingCity from the lead", acc)
	}
	con := s.getRecord("Contact", r.ContactID)
	if con["LastName"] != "Lovelace" || con["Email"] != "ada@engines.example" || con["AccountId"] != r.AccountID || con["MailingCity"] != "London" {
		t.Errorf("contact = %v; want the lead's person on the new account", con)
	}
	opp := s.getRecord("Opportunity", r.OpportunityID)
	if opp["Name"] != "Analytical Engines-" || opp["StageName"] != "Prospecting" || opp["CloseDate"] != "2026-06-30" || opp["AccountId"] != r.AccountID {
		t.Errorf("opportunity = %v; want Name \"Analytical Engines-\", Prospecting, end of quarter, on the account", opp)
	}

	// Converting again fails per item, not with a fault.
	results, _ = convert(t, s, sid, "<urn:leadConverts><urn:convertedStatus>Closed - Converted</urn:convertedStatus><urn:leadId>"+leadID+"</urn:leadId></urn:leadConverts>")
	if len(results) != 1 || results[0].Success || len(results[0].Errors) != 1 || results[0].Errors[0].StatusCode != "CANNOT_UPDATE_CONVERTED_LEAD" {
		t.Errorf("second conversion: %+v; want CANNOT_UPDATE_CONVERTED_LEAD", results)
	}
}

func TestSOAPConvertLeadOptionsAndErrors(t *testing.T) {
	s, _, _ := newOAuthServer(t)
	sid, u := soapSession(t, s)
	accID, err := s.createRecord(u, "Account", map[string]any{"Name": "Existing Co"})
	if err != nil {
		t.Fatal(err)
	}
	l1 := newLead(t, s, u, map[string]any{"LastName": "One", "Company": "Ignored Co", "Phone": "+1 555 0101"})
	l2 := newLead(t, s, u, map[string]any{"LastName": "Two", "Company": "Two Co"})
	l3 := newLead(t, s, u, map[string]any{"LastName": "Three", "Company": "Three Co", "Email": "jane.doe@acme.example"})
	l4 := newLead(t, s, u, map[string]any{"LastName": "Four", "Company": "Four Co", "Email": "john.smith@globex.example"})
	accountsBefore := len(s.findRecords("Account", func(map[string]any) bool { return true }))

	results, body := convert(t, s, sid, ""+
		// 1: existing account, no opportunity, status by API name in another case
		"<urn:leadConverts><urn:accountId>"+accID+"</urn:accountId><urn:convertedStatus>closed - converted</urn:convertedStatus>"+
		"<urn:doNotCreateOpportunity>true</urn:doNotCreateOpportunity><urn:leadId>"+l1+"</urn:leadId></urn:leadConverts>"+
		// 2: a status that is not a converted status
		"<urn:leadConverts><urn:convertedStatus>Working - Contacted</urn:convertedStatus><urn:leadId>"+l2+"</urn:leadId></urn:leadConverts>"+
		// 3: the new contact would duplicate Jane Doe: fails, and the account made for it is rolled back
		"<urn:leadConverts><urn:convertedStatus>Closed - Converted</urn:convertedStatus><urn:leadId>"+l3+"</urn:leadId></urn:leadConverts>"+
		// 4: a duplicate of John Smith with the contact dedupe check bypassed succeeds, named opportunity
		"<urn:leadConverts><urn:bypassContactDedupeCheck>true</urn:bypassContactDedupeCheck><urn:convertedStatus>Closed - Converted</urn:convertedStatus>"+
		"<urn:leadId>"+l4+"</urn:leadId><urn:opportunityName>Big Deal</urn:opportunityName></urn:leadConverts>"+
		// 5: unknown lead
		"<urn:leadConverts><urn:convertedStatus>Closed - Converted</urn:convertedStatus><urn:leadId>00Q000000000009AAA</urn:leadId></urn:leadConverts>")
	if len(results) != 5 {
		t.Fatalf("got %d results; want 5\n%s", len(results), body)
	}
	want := []struct {
		ok   bool
		code string
	}{{true, ""}, {false, "INVALID_STATUS"}, {false, "DUPLICATES_DETECTED"}, {true, ""}, {false, "INVALID_CROSS_REFERENCE_KEY"}}
	for i, w := range want {
		r := results[i]
		code := ""
		if len(r.Errors) > 0 {
			code = r.Errors[0].StatusCode
		}
		if r.Success != w.ok || code != w.code {
			t.Errorf("result %d: success=%v code=%q; want success=%v code=%q", i+1, r.Success, code, w.ok, w.code)
		}
	}
	if r := results[0]; r.AccountID != accID || r.OpportunityID != "" {
		t.Errorf("result 1: account %q opportunity %q; want the existing account and no opportunity", r.AccountID, r.OpportunityID)
	}
	if got := s.getRecord("Account", accID); got["Name"] != "Existing Co" || got["Phone"] != "+1 555 0101" {
		t.Errorf("existing account = %v; want its Name kept and the empty Phone filled", got)
	}
	if opp := s.getRecord("Opportunity", results[3].OpportunityID); opp == nil || opp["Name"] != "Big Deal" {
		t.Errorf("result 4 opportunity = %v; want Name Big Deal", opp)
	}
	// Accounts: +1 for lead 4 only; lead 3's account was rolled back.
	if got := len(s.findRecords("Account", func(map[string]any) bool { return true })); got != accountsBefore+1 {
		t.Errorf("accounts after conversion = %d; want %d (failed conversions leave nothing)", got, accountsBefore+1)
	}
	if lead := s.getRecord("Lead", l3); lead["IsConverted"] != false {
		t.Errorf("lead 3 IsConverted = %v; want false after a failed conversion", lead["IsConverted"])
	}
}
