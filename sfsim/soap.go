package sfsim

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"regexp"
	"strings"
)

// SOAP namespaces of the partner API.
const (
	soapEnvNS     = "http://schemas.xmlsoap.org/soap/envelope/"
	partnerNS     = "urn:partner.soap.sforce.com"
	faultNS       = "urn:fault.partner.soap.sforce.com"
	soapMaxBody   = 4 << 20
	soapMediaType = "text/xml;charset=UTF-8"
)

// soapPathRE matches /services/Soap/u/NN.N with an optional org id segment.
var soapPathRE = regexp.MustCompile(`^/services/Soap/u/(\d{1,3}\.\d)(?:/[A-Za-z0-9]{15,18})?/?$`)

// soapEnvelope is the part of a request envelope sfsim reads.
type soapEnvelope struct {
	XMLName xml.Name `xml:"Envelope"`
	Header  struct {
		SessionID string `xml:"SessionHeader>sessionId"`
	} `xml:"Header"`
	Body struct {
		Ops []soapOp `xml:",any"`
	} `xml:"Body"`
}

// soapOp is one operation element of the body, kept raw until its name is
// known.
type soapOp struct {
	XMLName xml.Name
	Inner   []byte `xml:",innerxml"`
}

type soapLogin struct {
	Username string `xml:"username"`
	Password string `xml:"password"`
}

// soapFault is a SOAP 1.1 fault with Salesforce's detail element.
type soapFault struct {
	Code       string // faultcode, e.g. sf:INVALID_LOGIN or soapenv:Client
	String     string // faultstring
	DetailType string // LoginFault, UnexpectedErrorFault, InvalidSObjectFault…; empty for none
	Exception  string // exceptionCode
	Message    string // exceptionMessage
}

const invalidLoginMessage = "Invalid username, password, security token; or user locked out."

func faultInvalidLogin() *soapFault {
	return &soapFault{Code: "sf:INVALID_LOGIN", String: "INVALID_LOGIN: " + invalidLoginMessage,
		DetailType: "LoginFault", Exception: "INVALID_LOGIN", Message: invalidLoginMessage}
}

func faultInvalidSession() *soapFault {
	const m = "Invalid Session ID found in SessionHeader: Illegal Session"
	return &soapFault{Code: "sf:INVALID_SESSION_ID", String: "INVALID_SESSION_ID: " + m,
		DetailType: "UnexpectedErrorFault", Exception: "INVALID_SESSION_ID", Message: m}
}

func faultClient(msg string) *soapFault {
	return &soapFault{Code: "soapenv:Client", String: msg}
}

// serveSOAP handles the partner SOAP endpoint /services/Soap/u/NN.N: login
// and convertLead.
func (s *Server) serveSOAP(w http.ResponseWriter, r *http.Request) {
	m := soapPathRE.FindStringSubmatch(r.URL.Path)
	if m == nil {
		http.NotFound(w, r)
		return
	}
	version := m[1]
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeSOAPFault(w, faultClient("Only POST is supported on the SOAP endpoint"))
		return
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, soapMaxBody))
	if err != nil {
		writeSOAPFault(w, faultClient("Unable to read the request"))
		return
	}
	var env soapEnvelope
	if err := xml.Unmarshal(raw, &env); err != nil || env.XMLName.Space != soapEnvNS {
		writeSOAPFault(w, faultClient("Bad envelope: the request is not a SOAP 1.1 envelope"))
		return
	}
	if len(env.Body.Ops) != 1 {
		writeSOAPFault(w, faultClient("The SOAP body must hold exactly one operation"))
		return
	}
	op := env.Body.Ops[0]
	name := op.XMLName.Local
	if op.XMLName.Space != partnerNS || (name != "login" && name != "convertLead") {
		writeSOAPFault(w, faultClient("No operation available for request {"+op.XMLName.Space+"}"+name+", please check the WSDL for the service."))
		return
	}
	switch name {
	case "login":
		s.soapLogin(w, r, version, op)
	case "convertLead":
		g, err := s.grantForToken(env.Header.SessionID)
		if env.Header.SessionID == "" || err != nil {
			writeSOAPFault(w, faultInvalidSession())
			return
		}
		s.soapConvertLead(w, r, g, op)
	}
}

// soapLogin answers login with a session id (an access token of the core)
// and the server URL for later calls.
func (s *Server) soapLogin(w http.ResponseWriter, r *http.Request, version string, op soapOp) {
	var in soapLogin
	if err := decodeOp(op, &in); err != nil {
		writeSOAPFault(w, faultClient("Unable to parse the login request"))
		return
	}
	u := s.userByUsername(strings.TrimSpace(in.Username))
	if u == nil || !u.Active || !passwordMatches(u, in.Password, clientAddr(r)) {
		writeSOAPFault(w, faultInvalidLogin())
		return
	}
	g := s.issueGrant(u, nil, []string{"api", "web", "full"}, false)
	base := s.instanceURL(r)
	org15, _ := idKey(s.org.ID)
	timeout := int(s.org.SessionTimeout.Seconds())
	var b xmlBuilder
	b.open("loginResponse")
	b.open("result")
	b.elem("metadataServerUrl", base+"/services/Soap/m/"+version+"/"+org15)
	b.elem("passwordExpired", "false")
	b.elem("sandbox", "false")
	b.elem("serverUrl", base+"/services/Soap/u/"+version+"/"+org15)
	b.elem("sessionId", g.AccessToken)
	b.elem("userId", u.ID)
	b.open("userInfo")
	b.elem("accessibilityMode", "false")
	b.elem("chatterExternal", "false")
	b.elem("currencySymbol", "$")
	b.elem("orgAttachmentFileSizeLimit", "5242880")
	b.elem("orgDefaultCurrencyIsoCode", "USD")
	b.elem("orgDefaultCurrencyLocale", "en_US")
	b.elem("orgDisallowHtmlAttachments", "false")
	b.elem("orgHasPersonAccounts", "false")
	b.elem("organizationId", s.org.ID)
	b.elem("organizationMultiCurrency", "false")
	b.elem("organizationName", s.org.Name)
	b.nilElem("profileId")
	b.nilElem("roleId")
	b.elem("sessionSecondsValid", itoa(timeout))
	b.elem("userDefaultCurrencyIsoCode", "USD")
	b.elem("userEmail", u.Email)
	b.elem("userFullName", u.Name())
	b.elem("userId", u.ID)
	b.elem("userLanguage", "en_US")
	b.elem("userLocale", "en_US")
	b.elem("userName", u.Username)
	b.elem("userTimeZone", "GMT")
	b.elem("userType", "Standard")
	b.elem("userUiSkin", "Theme3")
	b.close("userInfo")
	b.close("result")
	b.close("loginResponse")
	writeSOAPBody(w, b.String())
}

// decodeOp unmarshals an operation's children into v.
func decodeOp(op soapOp, v any) error {
	wrapped := append(append([]byte("<op>"), op.Inner...), "</op>"...)
	return xml.Unmarshal(wrapped, v)
}

// xmlBuilder writes a partner-namespace response body with escaping.
type xmlBuilder struct{ bytes.Buffer }

func (b *xmlBuilder) open(name string)  { b.WriteString("<" + name + ">") }
func (b *xmlBuilder) close(name string) { b.WriteString("</" + name + ">") }
func (b *xmlBuilder) nilElem(name string) {
	b.WriteString("<" + name + ` xsi:nil="true"/>`)
}
func (b *xmlBuilder) elem(name, value string) {
	b.open(name)
	_ = xml.EscapeText(&b.Buffer, []byte(value))
	b.close(name)
}

// optElem writes value, or a nil element when it is empty.
func (b *xmlBuilder) optElem(name, value string) {
	if value == "" {
		b.nilElem(name)
		return
	}
	b.elem(name, value)
}

// writeSOAPBody wraps body (elements in the partner namespace) in an
// envelope and sends it with 200.
func writeSOAPBody(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", soapMediaType)
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, xml.Header[:len(xml.Header)-1]+
		`<soapenv:Envelope xmlns:soapenv="`+soapEnvNS+`" xmlns="`+partnerNS+
		`" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>`+
		body+`</soapenv:Body></soapenv:Envelope>`)
}

// writeSOAPFault sends f with HTTP 500, as SOAP 1.1 requires.
func writeSOAPFault(w http.ResponseWriter, f *soapFault) {
	var b xmlBuilder
	b.WriteString(xml.Header[:len(xml.Header)-1])
	b.WriteString(`<soapenv:Envelope xmlns:soapenv="` + soapEnvNS + `" xmlns:sf="` + faultNS +
		`" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault>`)
	b.elem("faultcode", f.Code)
	b.elem("faultstring", f.String)
	if f.DetailType != "" {
		b.WriteString(`<detail><sf:` + f.DetailType + ` xsi:type="sf:` + f.DetailType + `">`)
		b.elem("sf:exceptionCode", f.Exception)
		b.elem("sf:exceptionMessage", f.Message)
		b.WriteString(`</sf:` + f.DetailType + `></detail>`)
	}
	b.WriteString(`</soapenv:Fault></soapenv:Body></soapenv:Envelope>`)
	w.Header().Set("Content-Type", soapMediaType)
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write(b.Bytes())
}
