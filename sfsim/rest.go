package sfsim

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// API versions served: v20.0 … v67.0 (Summer '26).
const (
	minVersion     = 20
	maxVersion     = 67
	defaultVersion = "63.0" // used where no request version applies (Go API, SOAP)
	maxBodyBytes   = 16 << 20
)

// versionLabel names the release of API version v: v20 is Winter '11, and
// releases go Winter, Spring, Summer, one version each.
func versionLabel(v int) string {
	n := v - minVersion
	season := [...]string{"Winter", "Spring", "Summer"}[n%3]
	return fmt.Sprintf("%s '%02d", season, 11+n/3)
}

// parseVersion turns "v62.0" into 62 and "62.0".
func parseVersion(seg string) (int, string, bool) {
	if seg == "latest" {
		return maxVersion, strconv.Itoa(maxVersion) + ".0", true
	}
	if len(seg) < 4 || seg[0] != 'v' || !strings.HasSuffix(seg, ".0") {
		return 0, "", false
	}
	n, err := strconv.Atoi(seg[1 : len(seg)-2])
	if err != nil || n < minVersion || n > maxVersion {
		return 0, "", false
	}
	return n, seg[1:], true
}

// dataReq is one authenticated call to the data API.
type dataReq struct {
	w       http.ResponseWriter
	r       *http.Request
	ver     int    // 62
	version string // "62.0"
	segs    []string
	grant   *Grant
	tx      *journal // set inside an allOrNone composite request
}

func (d *dataReq) base() string { return "/services/data/v" + d.version }

// serveData handles /services/data and everything below it.
func (s *Server) serveData(w http.ResponseWriter, r *http.Request) {
	p := strings.Trim(strings.TrimPrefix(r.URL.Path, "/services/data"), "/")
	if p == "" {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			writeErrors(w, errNotAllowed(r.Method, "GET,HEAD"))
			return
		}
		list := make([]map[string]string, 0, maxVersion-minVersion+1)
		for v := minVersion; v <= maxVersion; v++ {
			list = append(list, map[string]string{"label": versionLabel(v), "url": fmt.Sprintf("/services/data/v%d.0", v), "version": fmt.Sprintf("%d.0", v)})
		}
		writeJSON(w, http.StatusOK, list)
		return
	}
	segs := strings.Split(p, "/")
	ver, version, ok := parseVersion(segs[0])
	if !ok {
		writeErrors(w, errNotFound())
		return
	}
	g, ok := s.admitCall(w, r)
	if !ok {
		return
	}
	d := &dataReq{w: w, r: r, ver: ver, version: version, segs: segs[1:], grant: g}
	s.route(d)
}

// admitCall checks what every authenticated API call (data or Apex REST)
// goes through, in Salesforce's order: the token, the daily API limit
// (counting the call and setting Sforce-Limit-Info), then injected faults.
// It answers the refused call itself and reports false.
func (s *Server) admitCall(w http.ResponseWriter, r *http.Request) (*Grant, bool) {
	g, err := s.authenticate(r)
	if err != nil {
		writeErrors(w, err.(*APIError))
		return nil, false
	}
	used, max, allowed := s.countCall()
	w.Header().Set("Sforce-Limit-Info", fmt.Sprintf("api-usage=%d/%d", used, max))
	if !allowed {
		writeErrors(w, &APIError{Status: http.StatusForbidden, Code: "REQUEST_LIMIT_EXCEEDED", Message: "TotalRequests Limit exceeded."})
		return nil, false
	}
	if s.faults.tickExpiry() {
		s.ExpireAccessTokens()
	}
	if fe := s.faults.take(r); fe != nil {
		writeErrors(w, fe)
		return nil, false
	}
	return g, true
}

func (s *Server) route(d *dataReq) {
	segs, m := d.segs, d.r.Method
	if len(segs) == 0 {
		s.serveResources(d)
		return
	}
	switch segs[0] {
	case "sobjects":
		s.serveSObjects(d)
	case "query", "queryAll":
		s.serveQuery(d)
	case "search":
		s.serveSearch(d)
	case "parameterizedSearch":
		s.serveParameterizedSearch(d)
	case "composite":
		if len(segs) >= 2 && segs[1] == "sobjects" {
			s.serveCollections(d)
			return
		}
		if len(segs) == 1 {
			if m != http.MethodPost {
				writeErrors(d.w, errNotAllowed(m, "POST"))
				return
			}
			s.serveComposite(d)
			return
		}
		writeErrors(d.w, errNotFound())
	case "limits":
		if len(segs) != 1 {
			writeErrors(d.w, errNotFound())
			return
		}
		s.serveLimits(d)
	default:
		writeErrors(d.w, errNotFound())
	}
}

// serveResources is the version resource map.
func (s *Server) serveResources(d *dataReq) {
	b := d.base()
	res := map[string]string{}
	// Only the resources sfsim implements are listed.
	for _, k := range []string{"sobjects", "query", "queryAll", "search", "parameterizedSearch", "composite", "limits"} {
		res[k] = b + "/" + k
	}
	writeJSON(d.w, http.StatusOK, res)
}

// readBody decodes a JSON request body (gzip allowed) into v. Syntax errors
// become 400 JSON_PARSER_ERROR.
func readBody(r *http.Request, v any) *APIError {
	var rd io.Reader = io.LimitReader(r.Body, maxBodyBytes)
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		gz, err := gzip.NewReader(rd)
		if err != nil {
			return badRequest("JSON_PARSER_ERROR", "The request body is not valid gzip: "+err.Error())
		}
		defer gz.Close()
		// The inflated body is bounded like a plain one: a small gzip
		// body can inflate to gigabytes.
		rd = io.LimitReader(gz, maxBodyBytes)
	}
	b, err := io.ReadAll(rd)
	if err != nil {
		return badRequest("JSON_PARSER_ERROR", "The request body could not be read")
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return badRequest("JSON_PARSER_ERROR", "The HTTP entity body is required, but this request has no entity body.")
	}
	if err := json.Unmarshal(b, v); err != nil {
		return &APIError{Status: http.StatusBadRequest, Code: "JSON_PARSER_ERROR", Message: jsonErrMessage(b, err)}
	}
	return nil
}

func jsonErrMessage(b []byte, err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case asErr(err, &se):
		line, col := lineCol(b, int(se.Offset))
		return fmt.Sprintf("Unexpected character in JSON body at [line:%d, column:%d]", line, col)
	case asErr(err, &te):
		line, col := lineCol(b, int(te.Offset))
		return fmt.Sprintf("Cannot deserialize instance of %s from %s at [line:%d, column:%d]", te.Type, te.Value, line, col)
	}
	return "Unexpected end of JSON body"
}

func lineCol(b []byte, off int) (int, int) {
	if off > len(b) {
		off = len(b)
	}
	line, col := 1, 1
	for _, c := range b[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// allowDuplicates reads Sforce-Duplicate-Rule-Header: allowSave=true.
func allowDuplicates(r *http.Request) bool {
	h := r.Header.Get("Sforce-Duplicate-Rule-Header")
	for _, part := range strings.Split(h, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		if strings.EqualFold(k, "allowSave") && strings.EqualFold(strings.TrimSpace(v), "true") {
			return true
		}
	}
	return false
}

func (d *dataReq) opts() writeOpts {
	return writeOpts{user: d.grant.User, allowDuplicates: allowDuplicates(d.r), version: d.version, tx: d.tx}
}

// saveResult is the body of a successful create or upsert.
func saveResult(id string, created *bool) map[string]any {
	m := map[string]any{"id": id, "success": true, "errors": []any{}}
	if created != nil {
		m["created"] = *created
	}
	return m
}

// serveSObjects handles /sobjects and below.
func (s *Server) serveSObjects(d *dataReq) {
	segs, m := d.segs[1:], d.r.Method
	if len(segs) == 0 {
		if m != http.MethodGet {
			writeErrors(d.w, errNotAllowed(m, "GET,HEAD"))
			return
		}
		s.serveGlobalDescribe(d)
		return
	}
	o := s.db.schema.object(segs[0])
	if o == nil {
		writeErrors(d.w, errNotFound())
		return
	}
	switch len(segs) {
	case 1:
		switch m {
		case http.MethodGet:
			s.serveBasicInfo(d, o)
		case http.MethodPost:
			s.serveCreate(d, o)
		default:
			writeErrors(d.w, errNotAllowed(m, "GET,HEAD,POST"))
		}
	case 2:
		if segs[1] == "describe" {
			if m != http.MethodGet {
				writeErrors(d.w, errNotAllowed(m, "GET,HEAD"))
				return
			}
			s.serveDescribe(d, o)
			return
		}
		if segs[1] == "Id" && m == http.MethodPost && d.ver >= 37 {
			s.serveCreate(d, o)
			return
		}
		if !looksLikeID(segs[1]) {
			writeErrors(d.w, &APIError{Status: http.StatusNotFound, Code: "NOT_FOUND",
				Message: "Provided external ID field does not exist or is not accessible: " + segs[1]})
			return
		}
		switch m {
		case http.MethodGet, http.MethodHead:
			s.serveRead(d, o, segs[1])
		case http.MethodPatch:
			s.serveUpdate(d, o, segs[1])
		case http.MethodDelete:
			s.serveDelete(d, o, segs[1])
		default:
			writeErrors(d.w, errNotAllowed(m, "GET,HEAD,PATCH,DELETE"))
		}
	case 3:
		value, err := url.PathUnescape(segs[2])
		if err != nil {
			value = segs[2]
		}
		s.serveByExternalID(d, o, segs[1], value)
	default:
		writeErrors(d.w, errNotFound())
	}
}

func (s *Server) serveCreate(d *dataReq, o *objectDef) {
	var body map[string]any
	if err := readBody(d.r, &body); err != nil {
		writeErrors(d.w, err)
		return
	}
	s.mu.Lock()
	id, err := s.createLocked(o, body, d.opts())
	s.mu.Unlock()
	if err != nil {
		writeErrors(d.w, err)
		return
	}
	d.w.Header().Set("Location", d.base()+"/sobjects/"+o.Name+"/"+id)
	writeJSON(d.w, http.StatusCreated, saveResult(id, nil))
}

// recordJSON renders a stored record with attributes first and the fields
// in schema order; fields lists the wanted fields (all when nil).
func recordJSON(o *objectDef, f map[string]any, fields []*fieldDef, version string) orderedMap {
	if fields == nil {
		fields = o.Fields
	}
	om := orderedMap{keys: make([]string, 0, len(fields)+1), vals: make(map[string]any, len(fields)+1)}
	om.set("attributes", attributes(o.Name, f["Id"].(string), version))
	for _, fd := range fields {
		om.set(fd.Name, f[fd.Name])
	}
	return om
}

func (s *Server) serveRead(d *dataReq, o *objectDef, id string) {
	var fields []*fieldDef
	if fs := d.r.URL.Query().Get("fields"); fs != "" {
		for _, name := range strings.Split(fs, ",") {
			name = strings.TrimSpace(name)
			fd := o.field(name)
			if fd == nil {
				writeErrors(d.w, &APIError{Status: http.StatusBadRequest, Code: "INVALID_FIELD", Message: invalidFieldMessage(name, o.Name)})
				return
			}
			fields = append(fields, fd)
		}
		if o.field("Id") != nil && !containsField(fields, "Id") {
			fields = append([]*fieldDef{o.field("Id")}, fields...)
		}
	}
	s.mu.RLock()
	r, err := s.findLocked(o, id)
	var out orderedMap
	if err == nil {
		out = recordJSON(o, r.f, fields, d.version)
	}
	s.mu.RUnlock()
	if err != nil {
		writeErrors(d.w, err)
		return
	}
	writeJSON(d.w, http.StatusOK, out)
}

func containsField(fs []*fieldDef, name string) bool {
	for _, f := range fs {
		if f.Name == name {
			return true
		}
	}
	return false
}

func invalidFieldMessage(field, object string) string {
	return fmt.Sprintf("No such column '%s' on entity '%s'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.", field, object)
}

func (s *Server) serveUpdate(d *dataReq, o *objectDef, id string) {
	var body map[string]any
	if err := readBody(d.r, &body); err != nil {
		writeErrors(d.w, err)
		return
	}
	s.mu.Lock()
	r, err := s.findLocked(o, id)
	if err == nil {
		err = s.updateLocked(o, r, body, d.opts())
	}
	s.mu.Unlock()
	if err != nil {
		writeErrors(d.w, err)
		return
	}
	d.w.WriteHeader(http.StatusNoContent)
}

func (s *Server) serveDelete(d *dataReq, o *objectDef, id string) {
	s.mu.Lock()
	r, err := s.findLocked(o, id)
	if err == nil {
		err = s.deleteLocked(o, r, d.opts())
	}
	s.mu.Unlock()
	if err != nil {
		writeErrors(d.w, err)
		return
	}
	d.w.WriteHeader(http.StatusNoContent)
}

// externalMatches finds the live records whose field fd equals value. The
// caller holds the lock.
func (s *Server) externalMatches(o *objectDef, fd *fieldDef, value string) []*row {
	t := s.db.table(o.Name)
	if fd.Name == "Id" {
		r := t.get(value)
		if r == nil || r.deleted || prefixOf(r.f["Id"].(string)) != o.KeyPrefix {
			return nil
		}
		return []*row{r}
	}
	var out []*row
	rows, indexed := t.lookup(fd.Name, value)
	if !indexed {
		rows = t.rows
	}
	for _, r := range rows {
		if r.deleted {
			continue
		}
		if k, ok := indexKey(r.f[fd.Name]); ok && k == strings.ToLower(value) {
			out = append(out, r)
		}
	}
	return out
}

// externalField resolves the field of an external-id URL, or the 404.
func externalField(o *objectDef, name string) (*fieldDef, *APIError) {
	fd := o.field(name)
	if fd == nil || !(fd.ExternalID || fd.Name == "Id") {
		return nil, &APIError{Status: http.StatusNotFound, Code: "NOT_FOUND",
			Message: "Provided external ID field does not exist or is not accessible: " + name}
	}
	return fd, nil
}

func (s *Server) multipleChoices(d *dataReq, o *objectDef, rows []*row) {
	urls := make([]string, len(rows))
	for i, r := range rows {
		urls[i] = d.base() + "/sobjects/" + o.Name + "/" + r.f["Id"].(string)
	}
	writeJSON(d.w, http.StatusMultipleChoices, urls)
}

// serveByExternalID handles /sobjects/{Object}/{Field}/{value}.
func (s *Server) serveByExternalID(d *dataReq, o *objectDef, field, value string) {
	fd, aerr := externalField(o, field)
	if aerr != nil {
		writeErrors(d.w, aerr)
		return
	}
	switch d.r.Method {
	case http.MethodGet, http.MethodHead, http.MethodDelete:
		s.mu.Lock()
		rows := s.externalMatches(o, fd, value)
		var out orderedMap
		var err *APIError
		switch {
		case len(rows) == 0:
			err = errNotFound()
		case len(rows) == 1 && d.r.Method == http.MethodDelete:
			err = s.deleteLocked(o, rows[0], d.opts())
		case len(rows) == 1:
			out = recordJSON(o, rows[0].f, nil, d.version)
		}
		s.mu.Unlock()
		switch {
		case err != nil:
			writeErrors(d.w, err)
		case len(rows) > 1:
			s.multipleChoices(d, o, rows)
		case d.r.Method == http.MethodDelete:
			d.w.WriteHeader(http.StatusNoContent)
		default:
			writeJSON(d.w, http.StatusOK, out)
		}
	case http.MethodPatch, http.MethodPost:
		var body map[string]any
		if err := readBody(d.r, &body); err != nil {
			writeErrors(d.w, err)
			return
		}
		updateOnly := d.r.URL.Query().Get("updateOnly") == "true" && d.ver >= 61
		res, err := s.upsert(o, fd, value, body, d.opts(), updateOnly)
		switch {
		case err != nil:
			writeErrors(d.w, err)
		case len(res.multiple) > 0:
			s.multipleChoices(d, o, res.multiple)
		case res.created:
			d.w.Header().Set("Location", d.base()+"/sobjects/"+o.Name+"/"+res.id)
			writeJSON(d.w, http.StatusCreated, saveResult(res.id, &res.created))
		case d.ver >= 46:
			writeJSON(d.w, http.StatusOK, saveResult(res.id, &res.created))
		default:
			d.w.WriteHeader(http.StatusNoContent)
		}
	default:
		writeErrors(d.w, errNotAllowed(d.r.Method, "GET,HEAD,PATCH,DELETE"))
	}
}

type upsertResult struct {
	id       string
	created  bool
	multiple []*row
}

// upsert inserts or updates the record whose fd equals value. It takes the lock.
func (s *Server) upsert(o *objectDef, fd *fieldDef, value string, body map[string]any, opt writeOpts, updateOnly bool) (upsertResult, *APIError) {
	for k, v := range body {
		if strings.EqualFold(k, fd.Name) {
			if sv, ok := v.(string); ok && strings.EqualFold(sv, value) || fd.Name == "Id" {
				delete(body, k)
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rows := s.externalMatches(o, fd, value)
	switch {
	case len(rows) > 1:
		return upsertResult{multiple: rows}, nil
	case len(rows) == 1:
		if err := s.updateLocked(o, rows[0], body, opt); err != nil {
			return upsertResult{}, err
		}
		return upsertResult{id: rows[0].f["Id"].(string)}, nil
	case updateOnly || fd.Name == "Id" && value != "":
		return upsertResult{}, errNotFound()
	}
	if fd.Name != "Id" {
		body[fd.Name] = value
	}
	id, err := s.createLocked(o, body, opt)
	if err != nil {
		return upsertResult{}, err
	}
	return upsertResult{id: id, created: true}, nil
}

// orderedMap is a JSON object that keeps its key order.
type orderedMap struct {
	keys []string
	vals map[string]any
}

func (m *orderedMap) set(k string, v any) {
	if _, ok := m.vals[k]; !ok {
		m.keys = append(m.keys, k)
	}
	m.vals[k] = v
}

func (m orderedMap) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range m.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(orderRecords(m.vals[k]))
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// orderRecords rewrites maps that carry "attributes" (records from the
// query engine) so attributes come first, as Salesforce renders them.
func orderRecords(v any) any {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			if k != "attributes" {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		om := orderedMap{vals: make(map[string]any, len(x))}
		if a, ok := x["attributes"]; ok {
			om.set("attributes", a)
		}
		for _, k := range keys {
			om.set(k, x[k])
		}
		return om
	case []map[string]any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = orderRecords(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = orderRecords(e)
		}
		return out
	}
	return v
}
