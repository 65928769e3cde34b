package sfsim

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/botforge/dialogd/sfsim/soql"
)

// searchable lists the objects SOSL searches when RETURNING is absent.
var searchable = []string{"Account", "Campaign", "Case", "Contact", "Lead", "Opportunity"}

// runSOSL parses and executes a SOSL statement with the soql package.
func (s *Server) runSOSL(q, version string) ([]any, *APIError) {
	sr, err := soql.ParseSearch(q)
	if err != nil {
		return nil, soqlAPIError(err)
	}
	now := s.now()
	s.mu.RLock()
	recs, err := soql.ExecuteSearch(sr, soqlSource{s.db}, searchable, soql.Options{Now: now, Version: version})
	s.mu.RUnlock()
	if err != nil {
		return nil, soqlAPIError(err)
	}
	return recordsJSON(recs), nil
}

// serveSearch is GET /search?q=FIND {…} ….
func (s *Server) serveSearch(d *dataReq) {
	if d.r.Method != http.MethodGet || len(d.segs) != 1 {
		writeErrors(d.w, errNotAllowed(d.r.Method, "GET,HEAD"))
		return
	}
	recs, err := s.runSOSL(d.r.URL.Query().Get("q"), d.version)
	if err != nil {
		writeErrors(d.w, err)
		return
	}
	writeJSON(d.w, http.StatusOK, map[string]any{"searchRecords": recs})
}

// searchObject is one object of a parameterized search.
type searchObject struct {
	name   string
	fields []string
	limit  int
}

// isName reports whether s can be an object or field API name; names go
// into the generated SOSL, so nothing else may pass.
func isName(s string) bool {
	if s == "" || len(s) > 80 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// paramSOSL turns a parameterized search into SOSL. The term is searched as
// a literal phrase (soql.QuoteSearch), so request text cannot inject
// operators; object and field names must be plain API names.
func paramSOSL(term string, objs []searchObject, limit int) (string, *APIError) {
	return paramSOSLIn(term, "ALL", objs, limit)
}

// searchScopes are the values of parameterizedSearch's in parameter.
var searchScopes = map[string]bool{"ALL": true, "NAME": true, "EMAIL": true, "PHONE": true, "SIDEBAR": true}

// paramSOSLIn is paramSOSL searching the fields of scope (in=): ALL,
// NAME, EMAIL, PHONE or SIDEBAR.
func paramSOSLIn(term, scope string, objs []searchObject, limit int) (string, *APIError) {
	scope = strings.ToUpper(scope)
	if scope == "" {
		scope = "ALL"
	}
	if !searchScopes[scope] {
		return "", badRequest("INVALID_SEARCH_SCOPE", "Invalid search scope: "+scope)
	}
	var b strings.Builder
	b.WriteString("FIND ")
	b.WriteString(soql.QuoteSearch(term))
	b.WriteString(" IN " + scope + " FIELDS")
	for i, o := range objs {
		if !isName(o.name) {
			return "", badRequest("INVALID_TYPE", "sObject type '"+o.name+"' is not supported.")
		}
		if i == 0 {
			b.WriteString(" RETURNING ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(o.name)
		if len(o.fields) > 0 || o.limit > 0 {
			b.WriteByte('(')
			fields := o.fields
			if len(fields) == 0 {
				fields = []string{"Id"}
			}
			for j, f := range fields {
				if !isName(strings.ReplaceAll(f, ".", "_")) {
					return "", &APIError{Status: http.StatusBadRequest, Code: "INVALID_FIELD", Message: invalidFieldMessage(f, o.name)}
				}
				if j > 0 {
					b.WriteString(", ")
				}
				b.WriteString(f)
			}
			if o.limit > 0 {
				b.WriteString(" LIMIT " + strconv.Itoa(o.limit))
			}
			b.WriteByte(')')
		}
	}
	if limit > 0 {
		b.WriteString(" LIMIT " + strconv.Itoa(limit))
	}
	return b.String(), nil
}

// serveParameterizedSearch handles GET ?q=&sobject=&X.fields=&X.limit= and
// POST {"q","fields","sobjects":[{"name","fields","limit"}],"overallLimit"}.
func (s *Server) serveParameterizedSearch(d *dataReq) {
	var term, scope string
	var objs []searchObject
	limit := 0
	switch d.r.Method {
	case http.MethodGet:
		q := d.r.URL.Query()
		term, scope = q.Get("q"), q.Get("in")
		common := splitList(q.Get("fields"))
		for _, n := range q["sobject"] {
			so := searchObject{name: n, fields: common}
			if f := q.Get(n + ".fields"); f != "" {
				so.fields = splitList(f)
			}
			so.limit, _ = strconv.Atoi(q.Get(n + ".limit"))
			objs = append(objs, so)
		}
		limit, _ = strconv.Atoi(q.Get("overallLimit"))
	case http.MethodPost:
		var body struct {
			Q        string   `json:"q"`
			Fields   []string `json:"fields"`
			SObjects []struct {
				Name   string   `json:"name"`
				Fields []string `json:"fields"`
				Limit  int      `json:"limit"`
			} `json:"sobjects"`
			OverallLimit int    `json:"overallLimit"`
			In           string `json:"in"`
		}
		if err := readBody(d.r, &body); err != nil {
			writeErrors(d.w, err)
			return
		}
		term, limit, scope = body.Q, body.OverallLimit, body.In
		for _, so := range body.SObjects {
			f := so.Fields
			if f == nil {
				f = body.Fields
			}
			objs = append(objs, searchObject{name: so.Name, fields: f, limit: so.Limit})
		}
	default:
		writeErrors(d.w, errNotAllowed(d.r.Method, "GET,HEAD,POST"))
		return
	}
	if strings.TrimSpace(term) == "" {
		writeErrors(d.w, badRequest("MISSING_ARGUMENT", "q parameter not specified"))
		return
	}
	q, aerr := paramSOSLIn(term, scope, objs, limit)
	if aerr != nil {
		writeErrors(d.w, aerr)
		return
	}
	recs, aerr := s.runSOSL(q, d.version)
	if aerr != nil {
		writeErrors(d.w, aerr)
		return
	}
	writeJSON(d.w, http.StatusOK, map[string]any{"searchRecords": recs})
}
