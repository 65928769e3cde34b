package nodes

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
)

// svcRecorder is an HTTP server that records what it receives and answers
// with a fixed response (or with respond, when set).
type svcRecorder struct {
	mu       sync.Mutex
	reqs     []svcReq
	status   int
	ctype    string
	body     string
	respond  func(w http.ResponseWriter, r *http.Request)
	server   *httptest.Server
	released chan struct{}
}

type svcReq struct {
	Method, Path, EscapedPath, RawQuery string
	Header                              http.Header
	Body                                []byte
}

func newSvcRecorder(t *testing.T) *svcRecorder {
	rec := &svcRecorder{status: 200, ctype: "application/json", body: `{"ok":true}`, released: make(chan struct{})}
	rec.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, svcReq{r.Method, r.URL.Path, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Clone(), body})
		respond := rec.respond
		rec.mu.Unlock()
		if respond != nil {
			respond(w, r)
			return
		}
		if rec.ctype != "" {
			w.Header().Set("Content-Type", rec.ctype)
		} else {
			w.Header()["Content-Type"] = nil // no type, and no sniffing
		}
		w.WriteHeader(rec.status)
		io.WriteString(w, rec.body)
	}))
	t.Cleanup(func() {
		close(rec.released)
		rec.server.Close()
	})
	return rec
}

func (rec *svcRecorder) requests() []svcReq {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]svcReq(nil), rec.reqs...)
}

func (rec *svcRecorder) last(t *testing.T) svcReq {
	t.Helper()
	r := rec.requests()
	if len(r) == 0 {
		t.Fatal("the server received no request")
	}
	return r[len(r)-1]
}

func mustService(t testing.TB, src string) *Service {
	t.Helper()
	s := new(Service)
	if err := decodeEntNode(src, s); err != nil {
		t.Fatalf("service config: %v\n%s", err, src)
	}
	return s
}

// svcTurn returns a turn whose context holds hostile entity values.
func svcTurn(rec *svcRecorder) *Turn {
	t := newEntTurn("")
	t.NodeID = "call"
	t.Env.HTTP = rec.server.Client()
	t.Memory.Entities = map[string]any{
		"last":    `"},"x":1`,
		"company": `' OR Name != '`,
		"n":       12.0,
		"id":      "../../x?y=1",
		"rid":     "abc\r\nX-Evil: 1",
		"xml":     `</Name><Admin>1</Admin>`,
	}
	return t
}

func TestServiceRegistered(t *testing.T) {
	info, ok := Default().Lookup("service")
	if !ok {
		t.Fatal(`Lookup("service") not registered`)
	}
	if _, ok := info.New().(*Service); !ok {
		t.Errorf("New() = %T; want *Service", info.New())
	}
}

func TestServiceConfigErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"no url", "method: GET", "field url is required"},
		{"bad method", "method: TRACE\nurl: http://x", `method "TRACE": must be one of GET, POST, PUT, PATCH, DELETE`},
		{"long timeout", "url: http://x\ntimeout: 30s", "timeout 30s is longer than the maximum of 20s"},
		{"tiny timeout", "url: http://x\ntimeout: 1ms", "timeout 1ms is too short"},
		{"number timeout", "url: http://x\ntimeout: 5", `node.yaml:2:10: timeout: invalid duration "5"`},
		{"unknown auth", "url: http://x\nauth: hubspot", `auth profile "hubspot" is not declared in bot.yaml (declared: salesforce)`},
		{"body on get", "url: http://x\nbody: {a: 1}", "a GET request has no body"},
		{"type without body", "method: POST\nurl: http://x\nbody_type: json", "body_type json is set but there is no body"},
		{"bad body type", "method: POST\nurl: http://x\nbody_type: yaml\nbody: {a: 1}", `body_type "yaml": must be json, form or xml`},
		{"nested form", "method: POST\nurl: http://x\nbody_type: form\nbody: {a: {b: 1}}", "a form body must be a map of scalars"},
		{"xml map", "method: POST\nurl: http://x\nbody_type: xml\nbody: {a: 1}", "an xml body is one string template"},
		{"content-length", "url: http://x\nheaders: {content-length: '3'}", "Content-Length is set by the HTTP client"},
		{"bad header", "url: http://x\nheaders: {'a b': c}", `"a b" is not a valid header name`},
		{"dup header", "url: http://x\nheaders: {x-a: '1', X-A: '2'}", "X-A given twice"},
		{"unknown field", "url: http://x\nretries: 3", `node.yaml:2:1: unknown key "retries"`},
		{"bad template", "url: 'http://x/{{ entities.'", "template column"},
		{"relative url", "url: /services/data", `url "/services/data": must start with http:// or https://`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := decodeEntNode(tt.yaml, new(Service))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("config error = %v; want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestServiceMethods(t *testing.T) {
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE", ""} {
		t.Run("method "+m, func(t *testing.T) {
			rec := newSvcRecorder(t)
			s := mustService(t, fmt.Sprintf("method: %q\nurl: %s/sobjects/Lead", m, rec.server.URL))
			turn := svcTurn(rec)
			out, err := s.Run(context.Background(), turn)
			if err != nil || out != Next() {
				t.Fatalf("Run = %+v, %v; want Next", out, err)
			}
			want := m
			if want == "" {
				want = "GET"
			}
			if got := rec.last(t); got.Method != want || got.Path != "/sobjects/Lead" || len(got.Body) != 0 {
				t.Errorf("request = %s %s body %q; want %s /sobjects/Lead, no body", got.Method, got.Path, got.Body, want)
			}
		})
	}
}

func TestServiceBodies(t *testing.T) {
	tests := []struct {
		name, config string
		wantType     string
		wantBody     string
		check        func(t *testing.T, body []byte)
	}{
		{
			name: "json",
			config: `
body:
  attributes: {type: Lead}
  LastName: "{{ entities.last }}"
  Company: "{{ entities.company }}"
  Status: Open - Not Contacted
  NumberOfEmployees: "{{ entities.n }}"
  Note: "Call {{ entities.last }} back"`,
			wantType: "application/json",
			wantBody: `{"attributes":{"type":"Lead"},"LastName":"\"},\"x\":1","Company":"' OR Name != '","Status":"Open - Not Contacted","NumberOfEmployees":12,"Note":"Call \"},\"x\":1 back"}`,
			check: func(t *testing.T, body []byte) {
				var m map[string]any
				if err := json.Unmarshal(body, &m); err != nil {
					t.Fatalf("body is not JSON: %v", err)
				}
				if len(m) != 6 || m["LastName"] != `"},"x":1` || m["x"] != nil {
					t.Errorf("decoded body = %v; want 6 keys, LastName %q and no x", m, `"},"x":1`)
				}
			},
		},
		{
			name:     "form",
			config:   "body_type: form\nbody: {LastName: '{{ entities.last }}', Company: '{{ entities.company }}', Tag: [a, b]}",
			wantType: "application/x-www-form-urlencoded",
			wantBody: "Company=%27+OR+Name+%21%3D+%27&LastName=%22%7D%2C%22x%22%3A1&Tag=a&Tag=b",
			check: func(t *testing.T, body []byte) {
				v, err := url.ParseQuery(string(body))
				want := url.Values{"LastName": {`"},"x":1`}, "Company": {`' OR Name != '`}, "Tag": {"a", "b"}}
				if err != nil || !reflect.DeepEqual(v, want) {
					t.Errorf("decoded form = %v, %v; want %v", v, err, want)
				}
			},
		},
		{
			name:     "xml",
			config:   "body_type: xml\nbody: '<Lead><Name>{{ entities.xml }}</Name><Co>{{ entities.company }}</Co></Lead>'",
			wantType: "application/xml; charset=utf-8",
			wantBody: `<Lead><Name>&lt;/Name&gt;&lt;Admin&gt;1&lt;/Admin&gt;</Name><Co>&#39; OR Name != &#39;</Co></Lead>`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newSvcRecorder(t)
			s := mustService(t, "method: POST\nurl: "+rec.server.URL+"/sobjects/Lead\n"+tt.config)
			out, err := s.Run(context.Background(), svcTurn(rec))
			if err != nil || out != Next() {
				t.Fatalf("Run = %+v, %v; want Next", out, err)
			}
			got := rec.last(t)
			if string(got.Body) != tt.wantBody {
				t.Errorf("body =\n%s\nwant\n%s", got.Body, tt.wantBody)
			}
			if ct := got.Header.Get("Content-Type"); ct != tt.wantType {
				t.Errorf("Content-Type = %q; want %q", ct, tt.wantType)
			}
			if tt.check != nil {
				tt.check(t, got.Body)
			}
		})
	}
}

func TestServiceURLAndHeaders(t *testing.T) {
	rec := newSvcRecorder(t)
	s := mustService(t, `
url: "`+rec.server.URL+`/sobjects/Lead/{{ entities.id }}/query?q=SELECT Id FROM Lead WHERE Company = '{{ entities.company | soql }}'&n={{ entities.n }}"
headers:
  x-request-id: "{{ entities.rid }}"
  Accept: application/json
  Content-Type: application/json; charset=utf-8
`)
	if out, err := s.Run(context.Background(), svcTurn(rec)); err != nil || out != Next() {
		t.Fatalf("Run = %+v, %v; want Next", out, err)
	}
	got := rec.last(t)
	if got.Path != "/sobjects/Lead/../../x?y=1/query" || !strings.Contains(got.EscapedPath, "..%2F..%2Fx%3Fy=1") {
		t.Errorf("path = %q (escaped %q); want the id kept inside one segment", got.Path, got.EscapedPath)
	}
	q, _ := url.ParseQuery(got.RawQuery)
	wantQ := url.Values{"q": {`SELECT Id FROM Lead WHERE Company = '\' OR Name != \''`}, "n": {"12"}}
	if !reflect.DeepEqual(q, wantQ) {
		t.Errorf("query = %v; want %v", q, wantQ)
	}
	if h := got.Header.Get("X-Request-Id"); h != "abc  X-Evil: 1" {
		t.Errorf("X-Request-Id = %q; want the value on one line", h)
	}
	if got.Header.Get("X-Evil") != "" {
		t.Error("a context value added a header")
	}
	if got.Header.Get("Accept") != "application/json" {
		t.Errorf("Accept = %q; want application/json", got.Header.Get("Accept"))
	}
}

// A URL with no interpolation is encoded like one with interpolations
// (issue 9, bug 2: it went out with raw spaces and Salesforce answered 400).
func TestServiceLiteralURLEncoded(t *testing.T) {
	rec := newSvcRecorder(t)
	s := mustService(t, `url: "`+rec.server.URL+`/services/data/v60.0/query?q=SELECT Id FROM Lead"`)
	if out, err := s.Run(context.Background(), svcTurn(rec)); err != nil || out != Next() {
		t.Fatalf("Run = %+v, %v; want Next", out, err)
	}
	got := rec.last(t)
	if got.RawQuery != "q=SELECT%20Id%20FROM%20Lead" {
		t.Errorf("raw query = %q; want q=SELECT%%20Id%%20FROM%%20Lead", got.RawQuery)
	}
	if q, _ := url.ParseQuery(got.RawQuery); q.Get("q") != "SELECT Id FROM Lead" {
		t.Errorf("q = %q; want SELECT Id FROM Lead", q.Get("q"))
	}
}

func TestServiceStatuses(t *testing.T) {
	tests := []struct {
		name, extra string
		status      int
		ctype, body string
		want        Outcome
		wantBody    any
	}{
		{"created", "", 201, "application/json;charset=UTF-8", `{"id":"00Q5e000001","success":true,"errors":[]}`,
			Next(), map[string]any{"id": "00Q5e000001", "success": true, "errors": []any{}}},
		{"no content", "", 204, "", "", Next(), nil},
		{"text", "", 200, "text/plain", "pong", Next(), "pong"},
		{"json without type", "", 200, "", `[1,2]`, Next(), []any{1.0, 2.0}},
		{"broken json", "", 200, "application/json", `{"a":`, Next(), `{"a":`},
		{"not found to on_error", "on_error: sorry", 404, "application/json",
			`[{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}]`,
			Recover("sorry", FailService), []any{map[string]any{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}}},
		{"server error fails", "", 500, "text/html", "<h1>oops</h1>",
			FailWith(FailService, ""), "<h1>oops</h1>"},
		{"error message", "error_message: {en: Salesforce is down., de: Salesforce ist nicht erreichbar.}", 503, "", "",
			FailWith(FailService, "Salesforce is down."), nil},
		{"timeout target ignored for status", "on_timeout: slow", 502, "", "",
			FailWith(FailService, ""), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newSvcRecorder(t)
			rec.status, rec.ctype, rec.body = tt.status, tt.ctype, tt.body
			s := mustService(t, "url: "+rec.server.URL+"/x\n"+tt.extra)
			turn := svcTurn(rec)
			var observed []int
			turn.Env.ServiceObserver = func(node string, status int, _ time.Duration, err error) {
				if node != "call" || err != nil {
					t.Errorf("observer(%q, %d, %v); want node call and no error", node, status, err)
				}
				observed = append(observed, status)
			}
			out, err := s.Run(context.Background(), turn)
			if err != nil || out != tt.want {
				t.Fatalf("Run = %+v, %v; want %+v", out, err, tt.want)
			}
			want := map[string]any{"response": map[string]any{"status": float64(tt.status), "body": tt.wantBody}}
			if tt.status > 299 {
				// docs/bots.md: a non-2xx answer is the failure kind "status".
				want["error"] = FailureStatus
			}
			if got := turn.Memory.Nodes["call"]; !reflect.DeepEqual(got, want) {
				t.Errorf("context call = %#v; want %#v", got, want)
			}
			if !reflect.DeepEqual(observed, []int{tt.status}) {
				t.Errorf("observed statuses = %v; want [%d]", observed, tt.status)
			}
			// The stored response is reachable by path, as templates read it.
			if v, ok := turn.Memory.Lookup(SplitPath("call.response.status"), 0); !ok || v != float64(tt.status) {
				t.Errorf("Lookup(call.response.status) = %v, %v", v, ok)
			}
		})
	}
}

func TestServiceTimeout(t *testing.T) {
	for _, tt := range []struct {
		name, extra string
		want        Outcome
	}{
		{"to on_timeout", "on_timeout: slow\non_error: broken", Recover("slow", FailService)},
		{"fails", "", FailWith(FailService, "")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := newSvcRecorder(t)
			rec.respond = func(w http.ResponseWriter, r *http.Request) {
				select { // hang until the client gives up
				case <-r.Context().Done():
				case <-rec.released:
				}
			}
			s := mustService(t, "url: "+rec.server.URL+"/slow\ntimeout: 50ms\n"+tt.extra)
			turn := svcTurn(rec)
			var obsErr error
			turn.Env.ServiceObserver = func(_ string, _ int, _ time.Duration, err error) { obsErr = err }
			out, err := s.Run(context.Background(), turn)
			if err != nil || out != tt.want {
				t.Fatalf("Run = %+v, %v; want %+v", out, err, tt.want)
			}
			var se *ServiceError
			if !errors.As(obsErr, &se) || se.Kind != FailureTimeout {
				t.Errorf("observer error = %v; want a *ServiceError of kind timeout", obsErr)
			}
			if got := turn.Memory.Nodes["call"].(map[string]any)["error"]; got != FailureTimeout {
				t.Errorf("context call.error = %v; want timeout", got)
			}
		})
	}
}

func TestServiceNetworkErrorAndCancel(t *testing.T) {
	rec := newSvcRecorder(t)
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	s := mustService(t, "url: "+deadURL+"/x\non_error: broken\non_timeout: slow")
	turn := svcTurn(rec)
	out, err := s.Run(context.Background(), turn)
	if err != nil || out != Recover("broken", FailService) {
		t.Fatalf("Run against a closed port = %+v, %v; want GoTo(broken)", out, err)
	}
	if got := turn.Memory.Nodes["call"].(map[string]any)["error"]; got != FailureNetwork {
		t.Errorf("context call.error = %v; want network", got)
	}

	// An abandoned turn is an error for the runtime, not a user-facing failure.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s = mustService(t, "url: "+rec.server.URL+"/x\non_error: broken")
	turn = svcTurn(rec)
	if out, err := s.Run(ctx, turn); !errors.Is(err, context.Canceled) {
		t.Errorf("Run with a canceled context = %+v, %v; want context.Canceled", out, err)
	}
	if len(turn.Replies()) != 0 {
		t.Errorf("replies = %+v; want none", turn.Replies())
	}
}

func TestServiceResponseCap(t *testing.T) {
	for _, tt := range []struct {
		size int
		want Outcome
	}{
		{MaxResponseBytes, Next()},
		{MaxResponseBytes + 1, Recover("broken", FailService)},
	} {
		rec := newSvcRecorder(t)
		rec.ctype, rec.body = "text/plain", strings.Repeat("a", tt.size)
		s := mustService(t, "url: "+rec.server.URL+"/big\non_error: broken")
		turn := svcTurn(rec)
		var obsErr error
		turn.Env.ServiceObserver = func(_ string, _ int, _ time.Duration, err error) { obsErr = err }
		out, err := s.Run(context.Background(), turn)
		if err != nil || out != tt.want {
			t.Errorf("Run with a %d-byte body = %+v, %v; want %+v", tt.size, out, err, tt.want)
		}
		if tt.want == Next() {
			if body := turn.Memory.Nodes["call"].(map[string]any)["response"].(map[string]any)["body"]; len(body.(string)) != tt.size {
				t.Errorf("stored body has %d bytes; want %d", len(body.(string)), tt.size)
			}
			continue
		}
		if !errors.Is(obsErr, ErrResponseTooLarge) {
			t.Errorf("observer error = %v; want ErrResponseTooLarge", obsErr)
		}
	}
}

// svcAuth is a test Authorizer: a bearer token per profile that Refresh
// renews, or an authorization the user still has to grant.
type svcAuth struct {
	mu         sync.Mutex
	token      string
	refreshes  int
	refreshErr error
	needGrant  bool
}

func (a *svcAuth) Apply(_ context.Context, _ *Turn, profile string, req *http.Request) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.needGrant {
		return &AuthorizationRequiredError{Profile: profile, URL: "https://bot.example/oauth/start?s=abc", Text: "Please sign in to Salesforce."}
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	return nil
}

func (a *svcAuth) Refresh(_ context.Context, _ *Turn, _ string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.refreshes++
	if a.refreshErr != nil {
		return a.refreshErr
	}
	a.token = "fresh"
	return nil
}

func TestServiceRefreshOn401(t *testing.T) {
	tests := []struct {
		name       string
		acceptTok  string // the token the server takes; "" takes none
		refreshErr error
		want       Outcome
		wantReqs   int
		wantRefr   int
	}{
		{"refresh and retry", "fresh", nil, Next(), 2, 1},
		{"still 401 after retry", "", nil, Recover("broken", FailService), 2, 1},
		{"refresh fails", "fresh", errors.New("invalid_grant"), Recover("broken", FailService), 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newSvcRecorder(t)
			rec.respond = func(w http.ResponseWriter, r *http.Request) {
				if tt.acceptTok != "" && r.Header.Get("Authorization") == "Bearer "+tt.acceptTok {
					w.WriteHeader(200)
					return
				}
				w.WriteHeader(401)
				io.WriteString(w, `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`)
			}
			auth := &svcAuth{token: "stale", refreshErr: tt.refreshErr}
			s := mustService(t, "url: "+rec.server.URL+"/x\nauth: salesforce\non_error: broken")
			turn := svcTurn(rec)
			turn.Env.Auth = auth
			out, err := s.Run(context.Background(), turn)
			if err != nil || out != tt.want {
				t.Fatalf("Run = %+v, %v; want %+v", out, err, tt.want)
			}
			if n := len(rec.requests()); n != tt.wantReqs || auth.refreshes != tt.wantRefr {
				t.Errorf("requests, refreshes = %d, %d; want %d, %d", n, auth.refreshes, tt.wantReqs, tt.wantRefr)
			}
			if got := rec.requests()[0].Header.Get("Authorization"); got != "Bearer stale" {
				t.Errorf("first Authorization = %q; want Bearer stale", got)
			}
		})
	}
}

// svcApplyOnly is an Authorizer without Refresh: a 401 is final.
type svcApplyOnly struct{}

func (svcApplyOnly) Apply(_ context.Context, _ *Turn, _ string, req *http.Request) error {
	req.Header.Set("Authorization", "Bearer x")
	return nil
}

func TestServiceNoRefresher(t *testing.T) {
	rec := newSvcRecorder(t)
	rec.status = 401
	s := mustService(t, "url: "+rec.server.URL+"/x\nauth: salesforce\non_error: broken")
	turn := svcTurn(rec)
	turn.Env.Auth = svcApplyOnly{}
	if out, err := s.Run(context.Background(), turn); err != nil || out != Recover("broken", FailService) || len(rec.requests()) != 1 {
		t.Errorf("Run = %+v, %v after %d requests; want GoTo(broken) after 1", out, err, len(rec.requests()))
	}
	// A profile without any authorizer fails the call without sending it.
	turn = svcTurn(rec)
	turn.Env.Auth = nil
	if out, _ := s.Run(context.Background(), turn); out != Recover("broken", FailService) || len(rec.requests()) != 1 {
		t.Errorf("Run without authorizer = %+v after %d requests; want GoTo(broken), nothing sent", out, len(rec.requests()))
	}
}

func TestServiceAuthorizationRequiredParks(t *testing.T) {
	rec := newSvcRecorder(t)
	rec.status, rec.body = 201, `{"id":"00Q1"}`
	auth := &svcAuth{token: "t", needGrant: true}
	s := mustService(t, "method: POST\nurl: "+rec.server.URL+"/sobjects/Lead\nauth: salesforce\nbody: {LastName: x}\non_error: broken")
	turn := svcTurn(rec)
	turn.Env.Auth = auth
	out, err := s.Run(context.Background(), turn)
	if err != nil || out != (Park()) {
		t.Fatalf("Run = %+v, %v; want Park", out, err)
	}
	want := []Reply{{Type: ReplyAuthorize, URL: "https://bot.example/oauth/start?s=abc", Profile: "salesforce", Text: "Please sign in to Salesforce."}}
	if !reflect.DeepEqual(turn.Replies(), want) {
		t.Errorf("replies = %+v; want %+v", turn.Replies(), want)
	}
	if n := len(rec.requests()); n != 0 {
		t.Errorf("requests sent = %d; want 0 before the grant", n)
	}
	if _, ok := turn.Memory.Nodes["call"]; ok {
		t.Error("a parked call stored a response")
	}

	// After the grant the runtime runs the node again.
	auth.needGrant = false
	turn.ResetReplies()
	out, err = s.Run(context.Background(), turn)
	if err != nil || out != Next() || len(rec.requests()) != 1 {
		t.Fatalf("Run after the grant = %+v, %v, %d requests; want Next, 1", out, err, len(rec.requests()))
	}
	if id, _ := turn.Memory.Lookup(SplitPath("call.response.body.id"), 0); id != "00Q1" {
		t.Errorf("call.response.body.id = %v; want 00Q1", id)
	}

	// A refresh that needs a new grant parks as well.
	rec.status = 401
	auth.refreshErr = &AuthorizationRequiredError{Profile: "salesforce", URL: "https://bot.example/again"}
	turn.ResetReplies()
	out, err = s.Run(context.Background(), turn)
	if err != nil || out != (Park()) || len(turn.Replies()) != 1 || turn.Replies()[0].URL != "https://bot.example/again" {
		t.Errorf("Run with a failed refresh = %+v, %v, %+v; want Park with a new authorize link", out, err, turn.Replies())
	}
}

func TestServiceLogsNoSecrets(t *testing.T) {
	rec := newSvcRecorder(t)
	rec.status, rec.body = 400, `{"secret-response":"s3cr3t-resp"}`
	var logs bytes.Buffer
	s := mustService(t, "method: POST\nurl: "+rec.server.URL+"/x?email={{ entities.email }}\nheaders: {X-Api-Key: '{{ entities.key }}'}\nbody: {email: '{{ entities.email }}'}\non_error: broken")
	turn := svcTurn(rec)
	turn.Env.Log = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	turn.Memory.Entities["email"] = "jane.secret@example.com"
	turn.Memory.Entities["key"] = "key-s3cr3t"
	if out, _ := s.Run(context.Background(), turn); out != Recover("broken", FailService) {
		t.Fatalf("Run = %+v; want GoTo(broken)", out)
	}
	got := logs.String()
	if !strings.Contains(got, "service call failed") || !strings.Contains(got, "status=400") {
		t.Errorf("logs = %q; want the failure with its status", got)
	}
	for _, secret := range []string{"jane.secret", "key-s3cr3t", "s3cr3t-resp"} {
		if strings.Contains(got, secret) {
			t.Errorf("logs contain %q: %s", secret, got)
		}
	}
}

// TestServiceConcurrentCalls shows that a hanging call does not hold up
// another conversation's call through the same node.
func TestServiceConcurrentCalls(t *testing.T) {
	rec := newSvcRecorder(t)
	hang := make(chan struct{})
	entered := make(chan struct{})
	rec.respond = func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("who") == "slow" {
			close(entered)
			<-hang
		}
		w.WriteHeader(200)
	}
	s := mustService(t, "url: '"+rec.server.URL+"/x?who={{ entities.who }}'\ntimeout: 20s")
	slow, fast := svcTurn(rec), svcTurn(rec)
	slow.Memory.Entities["who"], fast.Memory.Entities["who"] = "slow", "fast"
	done := make(chan Outcome)
	go func() {
		out, _ := s.Run(context.Background(), slow)
		done <- out
	}()
	<-entered
	if out, err := s.Run(context.Background(), fast); err != nil || out != Next() {
		t.Errorf("fast Run while another call hangs = %+v, %v; want Next", out, err)
	}
	close(hang)
	if out := <-done; out != Next() {
		t.Errorf("slow Run = %+v; want Next", out)
	}
}

func BenchmarkServiceRun(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(201)
		io.WriteString(w, `{"id":"00Q5e000001","success":true,"errors":[]}`)
	}))
	defer srv.Close()
	s := mustService(b, "method: POST\nurl: "+srv.URL+"/sobjects/Lead\nbody: {LastName: '{{ entities.last }}', Company: '{{ entities.company }}'}")
	turn := newEntTurn("")
	turn.Env.HTTP = srv.Client()
	turn.Memory.Entities = map[string]any{"last": "Lovelace", "company": "Analytical Engines"}
	b.ReportAllocs()
	for b.Loop() {
		if out, err := s.Run(context.Background(), turn); err != nil || out != Next() {
			b.Fatalf("Run = %+v, %v", out, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/call")
}

// svcBase is an Authorizer that also supplies the base URL, like
// Salesforce's instance_url.
type svcBase struct {
	svcAuth
	base string
}

func (a *svcBase) BaseURL(_ context.Context, _ *Turn, profile string) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.needGrant {
		return "", &AuthorizationRequiredError{Profile: profile, URL: "https://bot.example/oauth/start?s=base", Text: "Sign in."}
	}
	return a.base + "/", nil
}

func TestServiceRelativeURLUsesBaseURL(t *testing.T) {
	rec := newSvcRecorder(t)
	rec.status, rec.body = 201, `{"id":"00Q2"}`
	src := "method: POST\nurl: /services/data/v60.0/sobjects/Lead/{{ entities.id }}\nauth: salesforce\nbody: {LastName: x}\non_error: broken"
	s := mustService(t, src)
	turn := svcTurn(rec)
	auth := &svcBase{svcAuth: svcAuth{token: "t", needGrant: true}, base: rec.server.URL}
	turn.Env.Auth = auth

	// Without a grant there is no base URL yet: the node parks.
	out, err := s.Run(context.Background(), turn)
	if err != nil || out != (Park()) || len(turn.Replies()) != 1 || turn.Replies()[0].URL != "https://bot.example/oauth/start?s=base" {
		t.Fatalf("Run without grant = %+v, %v, %+v; want Park with the authorize link", out, err, turn.Replies())
	}
	if n := len(rec.requests()); n != 0 {
		t.Fatalf("requests sent before the grant = %d; want 0", n)
	}

	auth.needGrant = false
	turn.ResetReplies()
	out, err = s.Run(context.Background(), turn)
	if err != nil || out != Next() {
		t.Fatalf("Run = %+v, %v; want Next", out, err)
	}
	got := rec.last(t)
	if want := "/services/data/v60.0/sobjects/Lead/..%2F..%2Fx%3Fy=1"; got.EscapedPath != want || got.Header.Get("Authorization") != "Bearer t" {
		t.Errorf("request path %q auth %q; want %q with the bearer token", got.EscapedPath, got.Header.Get("Authorization"), want)
	}

	// An authorizer that supplies no base URL cannot complete a path.
	turn = svcTurn(rec)
	turn.Env.Auth = svcApplyOnly{}
	if out, _ := s.Run(context.Background(), turn); out != Recover("broken", FailService) {
		t.Errorf("Run with a path and no BaseURLer = %+v; want GoTo(broken)", out)
	}
	if e, _ := turn.Memory.Lookup(SplitPath("call.error"), 0); e != FailureRequest {
		t.Errorf("call.error = %v; want %s", e, FailureRequest)
	}

	// A scheme-relative URL is never joined.
	if err := decodeEntNode("url: //evil.example/x\nauth: salesforce", new(Service)); err == nil {
		t.Error("scheme-relative url accepted; want an error")
	}
}

// Writes carry an Idempotency-Key that names the call: the same when a
// turn runs again (same conversation and Seq), new for any other call.
func TestServiceIdempotencyKey(t *testing.T) {
	rec := newSvcRecorder(t)
	post := mustService(t, "method: POST\nurl: "+rec.server.URL+"/lead\nbody: {Name: x}")
	keyOf := func(s *Service, seq uint64, calls int) []string {
		t.Helper()
		turn := svcTurn(rec)
		turn.Conversation, turn.Seq = "0190a4e2-7c3a-7b5e-9f00-0123456789ab", seq
		before := len(rec.requests())
		for range calls {
			if out, err := s.Run(context.Background(), turn); err != nil || out != Next() {
				t.Fatalf("Run = %+v, %v; want Next", out, err)
			}
		}
		var keys []string
		for _, r := range rec.requests()[before:] {
			keys = append(keys, r.Header.Get("Idempotency-Key"))
		}
		return keys
	}
	first := keyOf(post, 7, 2)
	if len(first) != 2 || first[0] == "" || first[0] == first[1] {
		t.Fatalf("keys of two calls in one turn = %q; want two different keys", first)
	}
	if u, err := uuid.Parse(first[0]); err != nil || u.Version() != 5 {
		t.Errorf("key %q: parse error %v, version %d; want a UUIDv5", first[0], err, u.Version())
	}
	if again := keyOf(post, 7, 2); !reflect.DeepEqual(again, first) {
		t.Errorf("keys when the turn runs again = %q; want the same %q", again, first)
	}
	if next := keyOf(post, 8, 1); next[0] == first[0] || next[0] == first[1] {
		t.Errorf("key of a later turn = %q; want a new one (first turn %q)", next[0], first)
	}
	get := mustService(t, "url: "+rec.server.URL+"/lead")
	if k := keyOf(get, 9, 1); k[0] != "" {
		t.Errorf("GET sent Idempotency-Key %q; want none", k[0])
	}
	// The same node and Seq in another task, or in a conversation_end run
	// (whose Seq may equal the first turn's), is another call.
	one := func(change func(*Turn)) string {
		t.Helper()
		turn := svcTurn(rec)
		turn.Conversation, turn.Seq, turn.Task = "0190a4e2-7c3a-7b5e-9f00-0123456789ab", 0, "chat"
		change(turn)
		if _, err := post.Run(context.Background(), turn); err != nil {
			t.Fatal(err)
		}
		return rec.last(t).Header.Get("Idempotency-Key")
	}
	base := one(func(*Turn) {})
	for name, change := range map[string]func(*Turn){
		"another task":     func(tu *Turn) { tu.Task = "wrap_up" },
		"conversation_end": func(tu *Turn) { tu.Event = "conversation_end:idle" },
		"another conv":     func(tu *Turn) { tu.Conversation = "0190a4e2-7c3a-7b5e-9f00-0123456789ac" },
	} {
		if k := one(change); k == base || k == "" {
			t.Errorf("%s: key %q; want a key other than %q", name, k, base)
		}
	}
	if k := one(func(tu *Turn) { tu.Conversation = "" }); k != "" {
		t.Errorf("without a conversation id: key %q; want none (it could match another conversation's)", k)
	}
	own := mustService(t, "method: POST\nurl: "+rec.server.URL+"/lead\nheaders: {Idempotency-Key: mine}\nbody: {Name: x}")
	if k := keyOf(own, 10, 1); k[0] != "mine" {
		t.Errorf("designer's Idempotency-Key = %q; want mine", k[0])
	}
}
