package salesforce

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"

	"github.com/botforge/dialogd/nodes"
)

// Salesforce has no REST resource that converts a lead: convert_lead calls
// the partner SOAP API's convertLead, with the profile's access token as
// the envelope's session id.

const (
	defaultConvertedStatus = "Closed - Converted"
	sessionPlaceholder     = "\x00session\x00"
)

// convertRequest renders the convertLead envelope. Values are XML-escaped.
func (a *Action) convertRequest(t *nodes.Turn, c *call) error {
	id, err := a.recordID(t)
	if err != nil {
		return err
	}
	opts := a.Convert
	if opts == nil {
		opts = &ConvertOptions{}
	}
	status := opts.Status
	if status == "" {
		status = defaultConvertedStatus
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` +
		`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:partner.soap.sforce.com">` +
		`<soapenv:Header><urn:SessionHeader><urn:sessionId>` + sessionPlaceholder + `</urn:sessionId></urn:SessionHeader></soapenv:Header>` +
		`<soapenv:Body><urn:convertLead><urn:leadConverts>`)
	elem := func(name, v string) {
		if v == "" {
			return
		}
		b.WriteString("<urn:" + name + ">")
		_ = xml.EscapeText(&b, []byte(v))
		b.WriteString("</urn:" + name + ">")
	}
	for _, f := range []struct {
		name string
		tp   *nodes.Interp
	}{{"accountId", opts.AccountID}, {"contactId", opts.ContactID}} {
		if f.tp.IsZero() {
			continue
		}
		v, err := f.tp.Render(t, nodes.EscapeText)
		if err != nil {
			return fmt.Errorf("convert.%s: %w", f.name, err)
		}
		if v = strings.TrimSpace(v); v != "" && !recordIDRE.MatchString(v) {
			return fmt.Errorf("convert.%s: %w", f.name, errBadID)
		}
		elem(f.name, v)
	}
	elem("convertedStatus", status)
	if opts.DoNotCreateOpportunity {
		elem("doNotCreateOpportunity", "true")
	}
	elem("leadId", id)
	if !opts.OpportunityName.IsZero() {
		v, err := opts.OpportunityName.Render(t, nodes.EscapeText)
		if err != nil {
			return fmt.Errorf("convert.opportunity_name: %w", err)
		}
		elem("opportunityName", strings.TrimSpace(v))
	}
	b.WriteString(`</urn:leadConverts></urn:convertLead></soapenv:Body></soapenv:Envelope>`)
	c.id = id
	c.api.Method, c.api.URL = http.MethodPost, "/services/Soap/u/"+a.APIVersion
	c.api.Body, c.api.ContentType = []byte(b.String()), "text/xml; charset=utf-8"
	c.api.Header = http.Header{"Soapaction": {`""`}}
	c.api.TokenPlaceholder = sessionPlaceholder
	return nil
}

// convertResponse is the part of a convertLead answer the node reads, or
// of a SOAP fault.
type convertResponse struct {
	Body struct {
		Result struct {
			AccountID     string `xml:"accountId"`
			ContactID     string `xml:"contactId"`
			OpportunityID string `xml:"opportunityId"`
			Success       bool   `xml:"success"`
			Errors        []struct {
				Fields     []string `xml:"fields"`
				Message    string   `xml:"message"`
				StatusCode string   `xml:"statusCode"`
			} `xml:"errors"`
		} `xml:"convertLeadResponse>result"`
		Fault struct {
			Code   string `xml:"faultcode"`
			String string `xml:"faultstring"`
		} `xml:"Fault"`
	} `xml:"Body"`
}

// readConvert turns a convertLead answer into the ids, or a failure in the
// REST error's terms.
func readConvert(res nodes.APIResult) (ids map[string]any, f *failure) {
	var env convertResponse
	if err := xml.Unmarshal(res.Body, &env); err != nil {
		fl := classify(res)
		return nil, &fl
	}
	if fc := env.Body.Fault; fc.Code != "" {
		code := fc.Code[strings.LastIndexByte(fc.Code, ':')+1:]
		fl := failure{kind: kindFailed, code: code, msg: fc.String}
		if code == "REQUEST_LIMIT_EXCEEDED" || res.Status >= 500 && code == "Server" {
			fl.kind = kindUnavailable
		}
		return nil, &fl
	}
	r := env.Body.Result
	if !r.Success {
		fl := failure{kind: kindFailed, code: "UNKNOWN_EXCEPTION"}
		if len(r.Errors) > 0 {
			e := r.Errors[0]
			fl.code, fl.msg, fl.fields = e.StatusCode, e.Message, e.Fields
			if fieldCodes[e.StatusCode] {
				fl.kind = kindField
			}
		}
		return nil, &fl
	}
	return map[string]any{"account_id": r.AccountID, "contact_id": r.ContactID, "opportunity_id": r.OpportunityID}, nil
}
