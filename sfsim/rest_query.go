package sfsim

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/botforge/dialogd/sfsim/soql"
)

const (
	defaultBatchSize = 2000
	minBatchSize     = 200
	maxCursors       = 500
)

// cursor is the rest of a query result that nextRecordsUrl pages through.
type cursor struct {
	records []map[string]any
	total   int
	batch   int
	seq     uint64
}

// batchSize reads Sforce-Query-Options: batchSize=N (clamped to 200…2000).
func batchSize(r *http.Request) int {
	for _, part := range strings.Split(r.Header.Get("Sforce-Query-Options"), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		if strings.EqualFold(k, "batchSize") {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return defaultBatchSize
			}
			return min(max(n, minBatchSize), defaultBatchSize)
		}
	}
	return defaultBatchSize
}

// soqlAPIError converts a query-engine error to the REST envelope.
func soqlAPIError(err error) *APIError {
	var se *soql.Error
	if errors.As(err, &se) {
		return &APIError{Status: http.StatusBadRequest, Code: se.Code, Message: se.Message}
	}
	return &APIError{Status: http.StatusBadRequest, Code: "MALFORMED_QUERY", Message: err.Error()}
}

// RunQuery executes SOQL against the org as the REST API would (all pages
// in one result). all includes deleted records (queryAll).
func (s *Server) RunQuery(q string, all bool) (*soql.Result, error) {
	return s.runQuery(q, all, defaultVersion)
}

func (s *Server) runQuery(q string, all bool, version string) (*soql.Result, error) {
	parsed, err := soql.Parse(q)
	if err != nil {
		return nil, soqlAPIError(err)
	}
	now := s.now()
	s.mu.RLock()
	res, err := soql.Execute(parsed, soqlSource{s.db}, soql.Options{Now: now, All: all, Version: version})
	s.mu.RUnlock()
	if err != nil {
		return nil, soqlAPIError(err)
	}
	return res, nil
}

// serveQuery handles /query, /queryAll and /query/{locator}.
func (s *Server) serveQuery(d *dataReq) {
	if d.r.Method != http.MethodGet {
		writeErrors(d.w, errNotAllowed(d.r.Method, "GET,HEAD"))
		return
	}
	kind := d.segs[0]
	if len(d.segs) == 2 {
		s.serveQueryMore(d, kind, d.segs[1])
		return
	}
	if len(d.segs) > 2 {
		writeErrors(d.w, errNotFound())
		return
	}
	q := d.r.URL.Query().Get("q")
	if strings.TrimSpace(q) == "" {
		writeErrors(d.w, badRequest("MALFORMED_QUERY", "A query string must be provided."))
		return
	}
	res, err := s.runQuery(q, kind == "queryAll", d.version)
	if err != nil {
		writeErrors(d.w, err.(*APIError))
		return
	}
	if res.Count != nil {
		writeJSON(d.w, http.StatusOK, queryPage{TotalSize: *res.Count, Done: true, Records: []any{}})
		return
	}
	batch := batchSize(d.r)
	recs := res.Records
	page := queryPage{TotalSize: res.TotalSize, Done: true}
	if len(recs) > batch {
		page.Done = false
		loc := s.newCursor(&cursor{records: recs, total: res.TotalSize, batch: batch})
		page.NextRecordsURL = d.base() + "/" + kind + "/" + loc + "-" + strconv.Itoa(batch)
		recs = recs[:batch]
	}
	page.Records = recordsJSON(recs)
	writeJSON(d.w, http.StatusOK, page)
}

// queryPage is one page of a query response.
type queryPage struct {
	TotalSize      int    `json:"totalSize"`
	Done           bool   `json:"done"`
	NextRecordsURL string `json:"nextRecordsUrl,omitempty"`
	Records        []any  `json:"records"`
}

func recordsJSON(recs []map[string]any) []any {
	out := make([]any, len(recs))
	for i, r := range recs {
		out[i] = orderRecords(r)
	}
	return out
}

func (s *Server) newCursor(c *cursor) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.serial++
	c.seq = s.serial
	loc := to18(newID15(prefixQueryLocator, s.serial))
	if len(s.cursors) >= maxCursors {
		var oldest string
		var seq uint64
		for k, v := range s.cursors {
			if oldest == "" || v.seq < seq {
				oldest, seq = k, v.seq
			}
		}
		delete(s.cursors, oldest)
	}
	s.cursors[loc] = c
	return loc
}

func (s *Server) serveQueryMore(d *dataReq, kind, locator string) {
	loc, offStr, ok := strings.Cut(locator, "-")
	off, err := strconv.Atoi(offStr)
	s.mu.RLock()
	c := s.cursors[loc]
	s.mu.RUnlock()
	if !ok || err != nil || c == nil || off < 0 || off > len(c.records) {
		writeErrors(d.w, badRequest("INVALID_QUERY_LOCATOR", "invalid query locator"))
		return
	}
	end := min(off+c.batch, len(c.records))
	page := queryPage{TotalSize: c.total, Done: end >= len(c.records), Records: recordsJSON(c.records[off:end])}
	if !page.Done {
		page.NextRecordsURL = d.base() + "/" + kind + "/" + loc + "-" + strconv.Itoa(end)
	}
	writeJSON(d.w, http.StatusOK, page)
}
