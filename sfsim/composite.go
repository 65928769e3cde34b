package sfsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
)

const (
	maxSubrequests      = 25
	maxCollectionRecord = 200
)

type compositeRequest struct {
	AllOrNone        bool              `json:"allOrNone"`
	CollateSubreqs   bool              `json:"collateSubrequests"`
	CompositeRequest []compositeSubreq `json:"compositeRequest"`
}

type compositeSubreq struct {
	Method      string            `json:"method"`
	URL         string            `json:"url"`
	ReferenceID string            `json:"referenceId"`
	Body        any               `json:"body"`
	HTTPHeaders map[string]string `json:"httpHeaders"`
}

type compositeSubresp struct {
	Body           any               `json:"body"`
	HTTPHeaders    map[string]string `json:"httpHeaders"`
	HTTPStatusCode int               `json:"httpStatusCode"`
	ReferenceID    string            `json:"referenceId"`
}

var refRE = regexp.MustCompile(`@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[[0-9]+\])*)\}`)

// resolveRef evaluates "ref.path" against the earlier subresponses.
func resolveRef(bodies map[string]any, ref, path string) (any, bool) {
	v, ok := bodies[ref]
	if !ok {
		return nil, false
	}
	for path != "" {
		if path[0] == '.' {
			end := strings.IndexAny(path[1:], ".[")
			if end < 0 {
				end = len(path) - 1
			}
			key := path[1 : end+1]
			path = path[end+1:]
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[key]; !ok {
				return nil, false
			}
			continue
		}
		end := strings.IndexByte(path, ']')
		i, _ := strconv.Atoi(path[1:end])
		path = path[end+1:]
		a, ok := v.([]any)
		if !ok || i >= len(a) {
			return nil, false
		}
		v = a[i]
	}
	return v, true
}

// substitute replaces @{ref.path} in a string; a string that is exactly one
// reference takes the referenced value's type.
func substitute(s string, bodies map[string]any) (any, string) {
	if m := refRE.FindStringSubmatch(s); m != nil && m[0] == s {
		v, ok := resolveRef(bodies, m[1], m[2])
		if !ok {
			return nil, m[1] + m[2]
		}
		return v, ""
	}
	var missing string
	out := refRE.ReplaceAllStringFunc(s, func(x string) string {
		m := refRE.FindStringSubmatch(x)
		v, ok := resolveRef(bodies, m[1], m[2])
		if !ok {
			missing = m[1] + m[2]
			return x
		}
		return fmt.Sprint(v)
	})
	return out, missing
}

func substituteAll(v any, bodies map[string]any) (any, string) {
	switch x := v.(type) {
	case string:
		return substitute(x, bodies)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			r, missing := substituteAll(e, bodies)
			if missing != "" {
				return nil, missing
			}
			out[k] = r
		}
		return out, ""
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			r, missing := substituteAll(e, bodies)
			if missing != "" {
				return nil, missing
			}
			out[i] = r
		}
		return out, ""
	}
	return v, ""
}

func haltedBody(msg string) []orderedMap {
	return []orderedMap{(&APIError{Code: "PROCESSING_HALTED", Message: msg}).body()}
}

// serveComposite runs POST /composite: the subrequests in order, each as an
// internal call with the caller's session; the whole request counts as one
// API call.
func (s *Server) serveComposite(d *dataReq) {
	var req compositeRequest
	if err := readBody(d.r, &req); err != nil {
		writeErrors(d.w, err)
		return
	}
	if len(req.CompositeRequest) == 0 {
		writeErrors(d.w, badRequest("JSON_PARSER_ERROR", "No subrequests were provided in the composite request."))
		return
	}
	if len(req.CompositeRequest) > maxSubrequests {
		writeErrors(d.w, badRequest("LIMIT_EXCEEDED", fmt.Sprintf("Composite request can have at most %d subrequests", maxSubrequests)))
		return
	}
	var tx *journal
	if req.AllOrNone {
		tx = &journal{}
	}
	bodies := map[string]any{}
	seen := map[string]bool{}
	out := make([]compositeSubresp, 0, len(req.CompositeRequest))
	failed := false
	for _, sub := range req.CompositeRequest {
		if sub.ReferenceID == "" || seen[sub.ReferenceID] {
			writeErrors(d.w, badRequest("JSON_PARSER_ERROR", "Duplicate or missing referenceId: "+sub.ReferenceID))
			s.rollback(tx)
			return
		}
		seen[sub.ReferenceID] = true
		if failed && req.AllOrNone {
			out = append(out, compositeSubresp{Body: haltedBody("The transaction was rolled back since another operation in the same transaction failed."),
				HTTPStatusCode: http.StatusBadRequest, ReferenceID: sub.ReferenceID, HTTPHeaders: map[string]string{}})
			continue
		}
		resp := s.runSubrequest(d, sub, bodies, tx)
		if resp.HTTPStatusCode >= 400 {
			failed = true
		} else if raw, ok := resp.Body.(json.RawMessage); ok {
			var v any
			if json.Unmarshal(raw, &v) == nil {
				bodies[sub.ReferenceID] = v
			}
		}
		out = append(out, resp)
	}
	if failed && req.AllOrNone {
		s.rollback(tx)
		for i := range out {
			if out[i].HTTPStatusCode < 400 {
				out[i] = compositeSubresp{Body: haltedBody("The transaction was rolled back since another operation in the same transaction failed."),
					HTTPStatusCode: http.StatusBadRequest, ReferenceID: out[i].ReferenceID, HTTPHeaders: map[string]string{}}
			}
		}
	}
	writeJSON(d.w, http.StatusOK, map[string]any{"compositeResponse": out})
}

func (s *Server) rollback(tx *journal) {
	if tx == nil {
		return
	}
	s.mu.Lock()
	tx.rollback()
	s.mu.Unlock()
}

func (s *Server) runSubrequest(d *dataReq, sub compositeSubreq, bodies map[string]any, tx *journal) compositeSubresp {
	resp := compositeSubresp{ReferenceID: sub.ReferenceID, HTTPHeaders: map[string]string{}}
	fail := func(status int, code, msg string) compositeSubresp {
		resp.HTTPStatusCode = status
		resp.Body = []orderedMap{(&APIError{Code: code, Message: msg}).body()}
		return resp
	}
	u, missing := substitute(sub.URL, bodies)
	if missing != "" {
		return fail(http.StatusBadRequest, "PROCESSING_HALTED", "Invalid reference specified. No value for "+missing+" found in "+strings.SplitN(missing, ".", 2)[0]+".")
	}
	body, missing := substituteAll(sub.Body, bodies)
	if missing != "" {
		return fail(http.StatusBadRequest, "PROCESSING_HALTED", "Invalid reference specified. No value for "+missing+" found in "+strings.SplitN(missing, ".", 2)[0]+".")
	}
	urlStr := fmt.Sprint(u)
	for h := range sub.HTTPHeaders {
		switch strings.ToLower(h) {
		case "accept", "authorization", "content-type":
			return fail(http.StatusBadRequest, "INVALID_FIELD", "The "+h+" header can't be set on a subrequest.")
		}
	}
	if !strings.HasPrefix(urlStr, "/services/data/") {
		return fail(http.StatusBadRequest, "INVALID_URL", "The URL "+urlStr+" isn't valid. It must begin with /services/data/.")
	}
	var rdr *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rdr = bytes.NewReader(b)
	} else {
		rdr = bytes.NewReader(nil)
	}
	method := strings.ToUpper(sub.Method)
	r, err := http.NewRequestWithContext(d.r.Context(), method, urlStr, rdr)
	if err != nil {
		return fail(http.StatusBadRequest, "INVALID_URL", "The URL "+urlStr+" isn't valid.")
	}
	r.Host = d.r.Host
	r.Header.Set("Content-Type", "application/json")
	for k, v := range sub.HTTPHeaders {
		r.Header.Set(k, v)
	}
	if v := d.r.Header.Get("Sforce-Duplicate-Rule-Header"); v != "" && r.Header.Get("Sforce-Duplicate-Rule-Header") == "" {
		r.Header.Set("Sforce-Duplicate-Rule-Header", v)
	}
	segs := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/services/data"), "/"), "/")
	ver, version, ok := parseVersion(segs[0])
	if !ok {
		return fail(http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
	}
	if len(segs) > 1 && segs[1] == "composite" && (len(segs) < 3 || segs[2] != "sobjects") {
		return fail(http.StatusBadRequest, "INVALID_URL", "Composite subrequests can't call the composite resources.")
	}
	rec := httptest.NewRecorder()
	s.route(&dataReq{w: rec, r: r, ver: ver, version: version, segs: segs[1:], grant: d.grant, tx: tx})
	resp.HTTPStatusCode = rec.Code
	if loc := rec.Header().Get("Location"); loc != "" {
		resp.HTTPHeaders["Location"] = loc
	}
	if rec.Body.Len() > 0 {
		resp.Body = json.RawMessage(append([]byte(nil), rec.Body.Bytes()...))
	}
	return resp
}

// collectionResult is one element of an sObject Collections response.
func collectionOK(id string, created *bool) map[string]any {
	m := map[string]any{"id": id, "success": true, "errors": []any{}}
	if created != nil {
		m["created"] = *created
	}
	return m
}

func collectionErr(id any, e *APIError) map[string]any {
	el := map[string]any{"statusCode": e.Code, "message": e.Message, "fields": e.Fields}
	if e.Fields == nil {
		el["fields"] = []string{}
	}
	for k, v := range e.Extra {
		el[k] = v
	}
	m := map[string]any{"success": false, "errors": []any{el}}
	if id != nil {
		m["id"] = id
	}
	return m
}

var rolledBack = &APIError{Code: "ALL_OR_NONE_OPERATION_ROLLED_BACK", Message: "Record rolled back because not all records were valid and the request was using AllOrNone header"}

type collectionRequest struct {
	AllOrNone bool             `json:"allOrNone"`
	Records   []map[string]any `json:"records"`
}

// serveCollections handles /composite/sobjects[/{Object}[/{ExtField}]].
func (s *Server) serveCollections(d *dataReq) {
	segs, m := d.segs[2:], d.r.Method
	switch {
	case len(segs) == 0 && (m == http.MethodPost || m == http.MethodPatch):
		s.collectionWrite(d, m, nil, nil)
	case len(segs) == 0 && m == http.MethodDelete:
		s.collectionDelete(d)
	case len(segs) == 1 && (m == http.MethodGet || m == http.MethodPost):
		s.collectionRetrieve(d, segs[0])
	case len(segs) == 2 && m == http.MethodPatch:
		o := s.db.schema.object(segs[0])
		if o == nil {
			writeErrors(d.w, errNotFound())
			return
		}
		fd, err := externalField(o, segs[1])
		if err != nil {
			writeErrors(d.w, err)
			return
		}
		s.collectionWrite(d, m, o, fd)
	default:
		writeErrors(d.w, errNotAllowed(m, "GET,POST,PATCH,DELETE"))
	}
}

func tooManyRecords() *APIError {
	return badRequest("EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than 200 records into this call")
}

// collectionWrite creates (POST), updates (PATCH) or upserts (PATCH with
// extObj/extField) up to 200 records under one lock hold.
func (s *Server) collectionWrite(d *dataReq, method string, extObj *objectDef, extField *fieldDef) {
	var req collectionRequest
	if err := readBody(d.r, &req); err != nil {
		writeErrors(d.w, err)
		return
	}
	if len(req.Records) > maxCollectionRecord {
		writeErrors(d.w, tooManyRecords())
		return
	}
	opt := d.opts()
	if req.AllOrNone {
		opt.tx = &journal{}
	}
	results := make([]map[string]any, len(req.Records))
	failed := make([]bool, len(req.Records))
	anyFailed := false
	s.mu.Lock()
	for i, rec := range req.Records {
		res, err := s.collectionOne(d, method, rec, extObj, extField, opt)
		if err != nil {
			var id any
			if method == http.MethodPatch && extField == nil {
				id = recordIDOf(rec)
			}
			results[i], failed[i], anyFailed = collectionErr(id, err), true, true
			continue
		}
		results[i] = res
	}
	if anyFailed && req.AllOrNone {
		opt.tx.rollback()
		for i := range results {
			if !failed[i] {
				results[i] = collectionErr(nil, rolledBack)
			}
		}
	}
	s.mu.Unlock()
	writeJSON(d.w, http.StatusOK, results)
}

func recordIDOf(rec map[string]any) any {
	for k, v := range rec {
		if strings.EqualFold(k, "id") {
			return v
		}
	}
	return nil
}

func recordType(rec map[string]any) string {
	a, _ := rec["attributes"].(map[string]any)
	t, _ := a["type"].(string)
	return t
}

// collectionOne handles one record of a collection write; the lock is held.
func (s *Server) collectionOne(d *dataReq, method string, rec map[string]any, extObj *objectDef, extField *fieldDef, opt writeOpts) (map[string]any, *APIError) {
	typ := recordType(rec)
	o := extObj
	if typ != "" {
		o = s.db.schema.object(typ)
		if o == nil {
			return nil, errInvalidType(typ)
		}
	}
	if o == nil {
		return nil, badRequest("INVALID_TYPE", "Must send a concrete entity type.")
	}
	body := make(map[string]any, len(rec))
	for k, v := range rec {
		if k != "attributes" {
			body[k] = v
		}
	}
	switch {
	case extField != nil:
		var value string
		for k, v := range body {
			if strings.EqualFold(k, extField.Name) {
				value = fmt.Sprint(v)
				delete(body, k)
			}
		}
		if value == "" {
			return nil, badRequest("MISSING_ARGUMENT", extField.Name+" not specified")
		}
		rows := s.externalMatches(o, extField, value)
		switch {
		case len(rows) > 1:
			return nil, badRequest("DUPLICATE_EXTERNAL_ID", fmt.Sprintf("%s: more than one record found for external id field: %v", extField.Name, rows[0].f["Id"]))
		case len(rows) == 1:
			if err := s.updateLocked(o, rows[0], body, opt); err != nil {
				return nil, err
			}
			f := false
			return collectionOK(rows[0].f["Id"].(string), &f), nil
		}
		body[extField.Name] = value
		id, err := s.createLocked(o, body, opt)
		if err != nil {
			return nil, err
		}
		t := true
		return collectionOK(id, &t), nil
	case method == http.MethodPost:
		if recordIDOf(body) != nil {
			return nil, badRequest("INVALID_FIELD", "Record ID: cannot specify Id in an insert call", "Id")
		}
		id, err := s.createLocked(o, body, opt)
		if err != nil {
			return nil, err
		}
		return collectionOK(id, nil), nil
	default:
		idv, _ := recordIDOf(body).(string)
		if idv == "" {
			return nil, badRequest("MISSING_ARGUMENT", "Id not specified in an update call")
		}
		for k := range body {
			if strings.EqualFold(k, "id") {
				delete(body, k)
			}
		}
		if !looksLikeID(idv) {
			return nil, badRequest("MALFORMED_ID", "malformed id "+idv)
		}
		r, err := s.findLocked(o, idv)
		if err != nil {
			return nil, err
		}
		if err := s.updateLocked(o, r, body, opt); err != nil {
			return nil, err
		}
		return collectionOK(r.f["Id"].(string), nil), nil
	}
}

func (s *Server) collectionDelete(d *dataReq) {
	q := d.r.URL.Query()
	var ids []string
	for _, id := range strings.Split(q.Get("ids"), ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		writeErrors(d.w, badRequest("MISSING_ARGUMENT", "ids parameter not specified"))
		return
	}
	if len(ids) > maxCollectionRecord {
		writeErrors(d.w, tooManyRecords())
		return
	}
	opt := d.opts()
	allOrNone := q.Get("allOrNone") == "true"
	if allOrNone {
		opt.tx = &journal{}
	}
	results := make([]map[string]any, len(ids))
	failed := make([]bool, len(ids))
	anyFailed := false
	s.mu.Lock()
	for i, id := range ids {
		err := func() *APIError {
			if !looksLikeID(id) {
				return badRequest("MALFORMED_ID", "malformed id "+id)
			}
			o := s.db.schema.objectForID(id)
			if o == nil {
				return badRequest("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
			}
			r, err := s.findLocked(o, id)
			if err != nil {
				return err
			}
			return s.deleteLocked(o, r, opt)
		}()
		if err != nil {
			results[i], failed[i], anyFailed = collectionErr(id, err), true, true
			continue
		}
		cid, _ := canonicalID(id)
		results[i] = collectionOK(cid, nil)
	}
	if anyFailed && allOrNone {
		opt.tx.rollback()
		for i := range results {
			if !failed[i] {
				results[i] = collectionErr(results[i]["id"], rolledBack)
			}
		}
	}
	s.mu.Unlock()
	writeJSON(d.w, http.StatusOK, results)
}

// collectionRetrieve is GET /composite/sobjects/{Object}?ids=…&fields=…
// (POST with {"ids":[…],"fields":[…]} also works).
func (s *Server) collectionRetrieve(d *dataReq, object string) {
	o := s.db.schema.object(object)
	if o == nil {
		writeErrors(d.w, errNotFound())
		return
	}
	var ids, fieldNames []string
	if d.r.Method == http.MethodPost {
		var body struct {
			IDs    []string `json:"ids"`
			Fields []string `json:"fields"`
		}
		if err := readBody(d.r, &body); err != nil {
			writeErrors(d.w, err)
			return
		}
		ids, fieldNames = body.IDs, body.Fields
	} else {
		q := d.r.URL.Query()
		ids = splitList(q.Get("ids"))
		fieldNames = splitList(q.Get("fields"))
	}
	if len(fieldNames) == 0 {
		writeErrors(d.w, badRequest("MISSING_ARGUMENT", "fields parameter not specified"))
		return
	}
	if len(ids) > 2000 {
		writeErrors(d.w, tooManyRecords())
		return
	}
	fields := []*fieldDef{o.field("Id")}
	for _, n := range fieldNames {
		fd := o.field(n)
		if fd == nil {
			writeErrors(d.w, &APIError{Status: http.StatusBadRequest, Code: "INVALID_FIELD", Message: invalidFieldMessage(n, o.Name)})
			return
		}
		if fd.Name != "Id" {
			fields = append(fields, fd)
		}
	}
	out := make([]any, len(ids))
	s.mu.RLock()
	for i, id := range ids {
		r := s.db.table(o.Name).get(id)
		if r == nil || r.deleted || prefixOf(r.f["Id"].(string)) != o.KeyPrefix {
			continue
		}
		out[i] = recordJSON(o, r.f, fields, d.version)
	}
	s.mu.RUnlock()
	writeJSON(d.w, http.StatusOK, out)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
