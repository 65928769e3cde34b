package sfsim

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// searchable lists the objects SOSL searches when RETURNING is absent.
var searchable = []string{"Account", "Campaign", "Case", "Contact", "Lead", "Opportunity"}

// searchSpec is a parsed search: the term and, per object, the fields to
// return and a limit.
type searchSpec struct {
	term    string
	objects []searchObject
	limit   int
}

type searchObject struct {
	name   string
	fields []string
	limit  int
}

func errMalformedSearch(msg string) *APIError {
	return &APIError{Status: http.StatusBadRequest, Code: "MALFORMED_SEARCH", Message: msg}
}

// parseSOSL reads the subset FIND {term} [IN ALL FIELDS|NAME FIELDS|EMAIL
// FIELDS|PHONE FIELDS] [RETURNING Obj[(f1, f2 [LIMIT n])], …] [LIMIT n].
func parseSOSL(q string) (*searchSpec, *APIError) {
	q = strings.TrimSpace(q)
	if len(q) < 4 || !strings.EqualFold(q[:4], "FIND") {
		return nil, errMalformedSearch("No search term found. The search term must be enclosed in braces.")
	}
	rest := strings.TrimSpace(q[4:])
	if !strings.HasPrefix(rest, "{") {
		return nil, errMalformedSearch("No search term found. The search term must be enclosed in braces.")
	}
	var term strings.Builder
	i := 1
	closed := false
	for ; i < len(rest); i++ {
		c := rest[i]
		if c == '\\' && i+1 < len(rest) {
			i++
			term.WriteByte(rest[i])
			continue
		}
		if c == '}' {
			closed = true
			break
		}
		term.WriteByte(c)
	}
	if !closed {
		return nil, errMalformedSearch("No search term found. The search term must be enclosed in braces.")
	}
	spec := &searchSpec{term: strings.TrimSpace(term.String())}
	if len([]rune(strings.ReplaceAll(spec.term, "*", ""))) < 2 {
		return nil, errMalformedSearch("search term must be longer than one character: " + spec.term)
	}
	toks := tokenizeSOSL(rest[i+1:])
	for p := 0; p < len(toks); {
		switch strings.ToUpper(toks[p]) {
		case "IN":
			if p+2 >= len(toks) || !strings.EqualFold(toks[p+2], "FIELDS") {
				return nil, errMalformedSearch("unexpected token: " + toks[p])
			}
			p += 3
		case "RETURNING":
			p++
			for p < len(toks) {
				so := searchObject{name: toks[p]}
				p++
				if p < len(toks) && toks[p] == "(" {
					p++
					for p < len(toks) && toks[p] != ")" {
						switch {
						case toks[p] == ",":
							p++
						case strings.EqualFold(toks[p], "LIMIT") && p+1 < len(toks):
							n, err := strconv.Atoi(toks[p+1])
							if err != nil {
								return nil, errMalformedSearch("unexpected token: " + toks[p+1])
							}
							so.limit = n
							p += 2
						default:
							so.fields = append(so.fields, toks[p])
							p++
						}
					}
					if p >= len(toks) {
						return nil, errMalformedSearch("unexpected end of search")
					}
					p++
				}
				spec.objects = append(spec.objects, so)
				if p < len(toks) && toks[p] == "," {
					p++
					continue
				}
				break
			}
		case "LIMIT":
			if p+1 >= len(toks) {
				return nil, errMalformedSearch("unexpected end of search")
			}
			n, err := strconv.Atoi(toks[p+1])
			if err != nil {
				return nil, errMalformedSearch("unexpected token: " + toks[p+1])
			}
			spec.limit = n
			p += 2
		default:
			return nil, errMalformedSearch("unexpected token: " + toks[p])
		}
	}
	return spec, nil
}

func tokenizeSOSL(s string) []string {
	var out []string
	cur := strings.Builder{}
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == ',':
			flush()
			out = append(out, string(r))
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			flush()
		default:
			cur.WriteRune(r)
		}
	}
	flush()
	return out
}

// termMatcher builds a case-insensitive matcher: every word of the term must
// occur in some searched field; '*' ends a prefix match.
func termMatcher(term string) func(vals []string) bool {
	words := strings.Fields(strings.ToLower(strings.Trim(term, `"`)))
	return func(vals []string) bool {
		for _, w := range words {
			w = strings.ReplaceAll(strings.ReplaceAll(w, "*", ""), "?", "")
			found := false
			for _, v := range vals {
				if strings.Contains(strings.ToLower(v), w) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	}
}

// runSearch evaluates spec; the result is the searchRecords list.
func (s *Server) runSearch(spec *searchSpec, version string) ([]any, *APIError) {
	objs := spec.objects
	if len(objs) == 0 {
		for _, n := range searchable {
			objs = append(objs, searchObject{name: n})
		}
	}
	match := termMatcher(spec.term)
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []any{}
	for _, so := range objs {
		o := s.db.schema.object(so.name)
		if o == nil {
			return nil, badRequest("INVALID_TYPE", "sObject type '"+so.name+"' is not supported.")
		}
		fields := []*fieldDef{o.field("Id")}
		for _, fn := range so.fields {
			fd := o.field(fn)
			if fd == nil {
				return nil, &APIError{Status: http.StatusBadRequest, Code: "INVALID_FIELD", Message: invalidFieldMessage(fn, o.Name)}
			}
			if fd.Name != "Id" {
				fields = append(fields, fd)
			}
		}
		var text []*fieldDef
		for _, f := range o.Fields {
			switch f.Type {
			case "string", "email", "phone", "textarea", "url", "picklist", "combobox":
				text = append(text, f)
			}
		}
		n := 0
		vals := make([]string, 0, len(text))
		for _, r := range s.db.table(o.Name).rows {
			if r.deleted {
				continue
			}
			vals = vals[:0]
			for _, f := range text {
				if v, ok := r.f[f.Name].(string); ok {
					vals = append(vals, v)
				}
			}
			if !match(vals) {
				continue
			}
			out = append(out, recordJSON(o, r.f, fields, version))
			n++
			if (so.limit > 0 && n >= so.limit) || (spec.limit > 0 && len(out) >= spec.limit) {
				break
			}
		}
		if spec.limit > 0 && len(out) >= spec.limit {
			break
		}
	}
	return out, nil
}

func (s *Server) serveSearch(d *dataReq) {
	if d.r.Method != http.MethodGet || len(d.segs) != 1 {
		writeErrors(d.w, errNotAllowed(d.r.Method, "GET,HEAD"))
		return
	}
	spec, err := parseSOSL(d.r.URL.Query().Get("q"))
	if err != nil {
		writeErrors(d.w, err)
		return
	}
	recs, err := s.runSearch(spec, d.version)
	if err != nil {
		writeErrors(d.w, err)
		return
	}
	writeJSON(d.w, http.StatusOK, map[string]any{"searchRecords": recs})
}

// serveParameterizedSearch handles GET ?q=&sobject=&X.fields=&X.limit= and
// POST {"q","fields","sobjects":[{"name","fields","limit"}],"overallLimit"}.
func (s *Server) serveParameterizedSearch(d *dataReq) {
	spec := &searchSpec{}
	switch d.r.Method {
	case http.MethodGet:
		q := d.r.URL.Query()
		spec.term = q.Get("q")
		common := splitList(q.Get("fields"))
		for _, n := range q["sobject"] {
			so := searchObject{name: n, fields: common}
			if f := q.Get(n + ".fields"); f != "" {
				so.fields = splitList(f)
			}
			so.limit, _ = strconv.Atoi(q.Get(n + ".limit"))
			spec.objects = append(spec.objects, so)
		}
		spec.limit, _ = strconv.Atoi(q.Get("overallLimit"))
	case http.MethodPost:
		var body struct {
			Q        string   `json:"q"`
			Fields   []string `json:"fields"`
			SObjects []struct {
				Name   string   `json:"name"`
				Fields []string `json:"fields"`
				Limit  int      `json:"limit"`
			} `json:"sobjects"`
			OverallLimit int `json:"overallLimit"`
		}
		if err := readBody(d.r, &body); err != nil {
			writeErrors(d.w, err)
			return
		}
		spec.term, spec.limit = body.Q, body.OverallLimit
		for _, so := range body.SObjects {
			f := so.Fields
			if f == nil {
				f = body.Fields
			}
			spec.objects = append(spec.objects, searchObject{name: so.Name, fields: f, limit: so.Limit})
		}
	default:
		writeErrors(d.w, errNotAllowed(d.r.Method, "GET,HEAD,POST"))
		return
	}
	if len([]rune(strings.TrimSpace(spec.term))) < 2 {
		writeErrors(d.w, badRequest("MISSING_ARGUMENT", "missing or too short search term: q"))
		return
	}
	sort.SliceStable(spec.objects, func(i, j int) bool { return false })
	recs, err := s.runSearch(spec, d.version)
	if err != nil {
		writeErrors(d.w, err)
		return
	}
	writeJSON(d.w, http.StatusOK, map[string]any{"searchRecords": recs})
}
