package sfsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// Server is one emulated org served over HTTP. It is an http.Handler; use it
// with httptest.NewServer or http.ListenAndServe. All methods are safe for
// concurrent use.
//
// Locking: s.mu (a sync.RWMutex) guards the org model, the record store, the
// grants and the query cursors. lock/unlock take it for writing. The helper
// methods userByUsername, userByID, appByKey, issueGrant, refreshGrant,
// grantByRefresh, revokeToken and authenticate take it themselves, so they
// must not be called while holding it.
type Server struct {
	mu    sync.RWMutex
	org   *Org
	clock func() time.Time

	db      *store
	grants  map[string]*Grant // by access token
	refresh map[string]*Grant // by refresh token
	cursors map[string]*cursor
	serial  uint64 // id serial shared by all objects

	usage    int    // API calls counted today
	usageDay string // YYYY-MM-DD of usage

	faults faultState
	reqlog reqLog

	custom map[string][]CustomField // fixture custom fields, kept for persistence

	oauth oauthState // owned by the OAuth code (oauth_state.go)

	dataFile string
	dirty    bool
	saveMu   sync.Mutex
}

// Option configures New.
type Option func(*config)

type config struct {
	fixture  *Fixture
	clock    func() time.Time
	dataFile string
	myDomain string

	callbackURLs []string // WithCallbackURLs
}

// WithFixture seeds the org from fx instead of the built-in demo fixture.
func WithFixture(fx *Fixture) Option { return func(c *config) { c.fixture = fx } }

// WithClock replaces the wall clock, for tests of expiry.
func WithClock(now func() time.Time) Option { return func(c *config) { c.clock = now } }

// WithDataFile persists the org (records, users, grants) in path: it is
// loaded at start when it exists and written by Save and Close.
func WithDataFile(path string) Option { return func(c *config) { c.dataFile = path } }

// WithMyDomain overrides the fixture's My Domain host name.
func WithMyDomain(host string) Option { return func(c *config) { c.myDomain = host } }

// New builds a server seeded from the demo fixture or WithFixture.
func New(opts ...Option) (*Server, error) {
	var c config
	for _, o := range opts {
		o(&c)
	}
	s := &Server{
		clock:    c.clock,
		grants:   map[string]*Grant{},
		refresh:  map[string]*Grant{},
		cursors:  map[string]*cursor{},
		dataFile: c.dataFile,
	}
	s.reqlog.max = defaultLogSize
	fx := c.fixture
	if fx == nil {
		var err error
		if fx, err = DemoFixture(); err != nil {
			return nil, err
		}
	}
	loaded := false
	if c.dataFile != "" {
		ok, err := s.load(c.dataFile)
		if err != nil {
			return nil, err
		}
		loaded = ok
	}
	if !loaded {
		if err := s.seed(fx); err != nil {
			return nil, err
		}
	}
	if c.myDomain != "" {
		s.org.MyDomain = c.myDomain
	}
	if err := s.allowCallbacks(c.callbackURLs); err != nil {
		return nil, err
	}
	return s, nil
}

// lock takes the server lock for writing.
func (s *Server) lock() { s.mu.Lock() }

// unlock releases the lock taken by lock.
func (s *Server) unlock() { s.mu.Unlock() }

// Org returns the org model. Treat it as read-only while the server runs.
func (s *Server) Org() *Org { return s.org }

// ServeHTTP routes a request to the OAuth, identity, SOAP, data or control
// handlers.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if strings.HasPrefix(p, "/__sim__/") {
		s.serveControl(w, r)
		return
	}
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK, pretty: r.Header.Get("X-PrettyPrint") == "1"}
	start := time.Now()
	defer func() { s.reqlog.add(r, rec.status, start, time.Since(start)) }()
	s.faults.delay(r.Context())
	if s.faults.isDown() {
		writeErrors(rec, errOutage)
		return
	}
	switch {
	case strings.HasPrefix(p, "/services/oauth2/"):
		s.serveOAuth(rec, r)
	case strings.HasPrefix(p, "/id/"):
		s.serveIdentity(rec, r)
	case strings.HasPrefix(p, "/services/Soap/"):
		s.serveSOAP(rec, r)
	case p == "/services/data" || strings.HasPrefix(p, "/services/data/"):
		s.serveData(rec, r)
	case strings.HasPrefix(p, "/services/apexrest/"):
		s.serveApexREST(rec, r)
	default:
		writeErrors(rec, &APIError{Status: http.StatusNotFound, Code: "NOT_FOUND", Message: "The requested resource does not exist"})
	}
}

// statusRecorder remembers the status code for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	pretty bool // X-PrettyPrint: 1 asks for indented JSON
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// APIError is a REST error as Salesforce renders it: one element of the JSON
// error array, sent with Status.
type APIError struct {
	Status  int
	Code    string   // errorCode, e.g. INVALID_FIELD
	Message string   // message
	Fields  []string // fields, when the error names any
	// Extra holds additional keys of the element (duplicateResut).
	Extra map[string]any
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

func (e *APIError) body() orderedMap {
	m := orderedMap{vals: make(map[string]any, 3+len(e.Extra))}
	keys := make([]string, 0, len(e.Extra))
	for k := range e.Extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		m.set(k, e.Extra[k])
	}
	m.set("message", e.Message)
	m.set("errorCode", e.Code)
	if e.Fields != nil {
		m.set("fields", e.Fields)
	}
	return m
}

const jsonContentType = "application/json;charset=UTF-8"

// writeJSON writes v as the JSON body with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var b []byte
	var err error
	if sr, ok := w.(*statusRecorder); ok && sr.pretty {
		b, err = json.MarshalIndent(v, "", "  ")
	} else {
		b, err = json.Marshal(v)
	}
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(fmt.Sprintf(`[{"message":"sfsim: %s","errorCode":"UNKNOWN_EXCEPTION"}]`, jsonEscape(err.Error())))
	}
	w.Header().Set("Content-Type", jsonContentType)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func jsonEscape(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// writeErrors writes the error-array envelope. All errors share the status of
// the first.
func writeErrors(w http.ResponseWriter, errs ...*APIError) {
	arr := make([]orderedMap, len(errs))
	for i, e := range errs {
		arr[i] = e.body()
	}
	writeJSON(w, errs[0].Status, arr)
}
