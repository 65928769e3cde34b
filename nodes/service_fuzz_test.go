package nodes

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// fuzzResponse is what the fuzz server answers; a fuzz worker runs one
// input at a time, the lock only guards against the server's goroutine.
type fuzzResponse struct {
	mu     sync.Mutex
	status int
	ctype  string
	body   []byte
}

func (fr *fuzzResponse) set(status int, ctype string, body []byte) {
	fr.mu.Lock()
	defer fr.mu.Unlock()
	fr.status, fr.ctype, fr.body = status, ctype, body
}

func (fr *fuzzResponse) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	fr.mu.Lock()
	status, ctype, body := fr.status, fr.ctype, fr.body
	fr.mu.Unlock()
	w.Header()["Content-Type"] = nil // no sniffing when ctype is empty
	if ctype != "" {
		w.Header().Set("Content-Type", ctype)
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// FuzzServiceResponse: whatever a service answers (status, Content-Type,
// JSON, XML or anything else), the node stores it as <node>.response
// without panicking; a JSON answer is stored as parsed; the stored context
// survives the session state's JSON round trip; and the values, put into
// the next request's URL, JSON body, XML body and headers, cannot change
// that request's host or path, or break its body's syntax.
func FuzzServiceResponse(f *testing.F) {
	fr := &fuzzResponse{}
	srv := httptest.NewServer(fr)
	f.Cleanup(srv.Close)
	call := mustService(f, "method: GET\nurl: "+srv.URL+"/r\non_error: failed")
	next := func(bodyType, body string) *Service {
		return mustService(f, "method: POST\nurl: 'http://127.0.0.1:1/x/{{ call.response.body.id }}?q={{ call.response.body }}'\n"+
			"headers: {X-Echo: '{{ call.response.body.name }}'}\nbody_type: "+bodyType+"\nbody: "+body)
	}
	asJSON := next("json", `{echo: "{{ call.response.body }}", id: "{{ call.response.body.id }}", first: "{{ call.response.body.0 }}"}`)
	asXML := next("xml", `"<r><echo>{{ call.response.body }}</echo><id a='{{ call.response.body.id }}'/></r>"`)

	f.Add(200, "application/json", []byte(`{"id":"00Q5e000001","success":true,"errors":[]}`))
	f.Add(201, "application/json; charset=UTF-8", []byte(`{"id":"a/../../b?c=d#e","name":"x\r\nX-Evil: 1"}`))
	f.Add(200, "application/vnd.api+json", []byte(`[{"id":1},{"id":"</echo><evil/>"}]`))
	f.Add(200, "", []byte(`{"id": "\u0000\ud800"}`))
	f.Add(200, "", []byte(`[1, 2`))
	f.Add(200, "application/xml", []byte(`<?xml version="1.0"?><soapenv:Envelope><id>1</id></soapenv:Envelope>`))
	f.Add(200, "text/xml; charset=utf-8", []byte("<a>]]>&amp;\x00\xff</a>"))
	f.Add(404, "application/json", []byte(`[{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}]`))
	f.Add(500, "text/html", []byte("<html>oops</html>"))
	f.Add(204, "application/json", []byte(nil))
	f.Add(200, "application/json", []byte(`1e999`))
	f.Add(200, "application/json", []byte(`"just a string"`))
	f.Add(200, "application/json;;;", []byte(`{"id":{"id":{"id":null}}}`))
	f.Fuzz(func(t *testing.T, status int, ctype string, body []byte) {
		if status < 200 || status > 599 || status == http.StatusNoContent || status == http.StatusResetContent || status == http.StatusNotModified {
			return // statuses a server cannot send with a body, or not at all
		}
		if strings.ContainsFunc(ctype, isHeaderControl) || len(ctype) > 200 {
			return // not a header value a server can send
		}
		fr.set(status, ctype, body)
		turn := newEntTurn("")
		turn.NodeID = "call"
		turn.Env.HTTP = srv.Client()
		if _, err := call.Run(context.Background(), turn); err != nil {
			t.Fatalf("Run: %v", err)
		}
		gotStatus, got := storedResponse(t, turn)
		if gotStatus != float64(status) {
			t.Fatalf("stored status %v, want %d", gotStatus, status)
		}
		checkStoredBody(t, ctype, body, got)
		checkMemoryRoundTrip(t, turn.Memory)
		for _, s := range []*Service{asJSON, asXML} {
			checkNextRequest(t, s, turn)
		}
	})
}

// storedResponse returns the status and body the node stored as
// call.response.
func storedResponse(t *testing.T, turn *Turn) (status, body any) {
	t.Helper()
	v, ok := turn.Memory.Lookup([]string{"call", "response"}, 0)
	if !ok {
		t.Fatalf("no call.response in %+v", turn.Memory.Nodes)
	}
	resp, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("call.response is %T, want a map", v)
	}
	return resp["status"], resp["body"]
}

// checkStoredBody: an empty answer is nil, a JSON one is parsed, anything
// else is its text.
func checkStoredBody(t *testing.T, ctype string, body []byte, got any) {
	t.Helper()
	if len(bytes.TrimSpace(body)) == 0 {
		if got != nil {
			t.Fatalf("empty body stored as %#v, want nil", got)
		}
		return
	}
	var want any
	if (isJSONType(ctype) || ctype == "" && (body[0] == '{' || body[0] == '[')) && json.Unmarshal(body, &want) == nil {
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("JSON body %q stored as %#v, want %#v", body, got, want)
		}
		return
	}
	if got != string(body) {
		t.Fatalf("body %q (type %q) stored as %#v, want its text", body, ctype, got)
	}
}

// checkMemoryRoundTrip: the context is kept in the session state as JSON;
// it decodes, and from the first decoding on it re-encodes to the same
// bytes (the first encoding may still turn invalid UTF-8 into U+FFFD).
func checkMemoryRoundTrip(t *testing.T, m *Memory) {
	t.Helper()
	once, err := json.Marshal(m)
	if err != nil {
		t.Fatalf("encode context: %v", err)
	}
	twice := reencodeMemory(t, once)
	if thrice := reencodeMemory(t, twice); !bytes.Equal(twice, thrice) {
		t.Fatalf("context does not round-trip:\n second %s\n third  %s", twice, thrice)
	}
}

func reencodeMemory(t *testing.T, b []byte) []byte {
	t.Helper()
	var back Memory
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("decode context %s: %v", b, err)
	}
	out, err := json.Marshal(&back)
	if err != nil {
		t.Fatalf("re-encode context: %v", err)
	}
	return out
}

// checkNextRequest renders s from the turn: the response's values stay
// inside the places the template gave them.
func checkNextRequest(t *testing.T, s *Service, turn *Turn) {
	t.Helper()
	r, err := s.render(turn)
	if err != nil {
		return // a value that cannot go there is refused, which is fine
	}
	u, err := url.Parse(r.URL)
	if err != nil {
		t.Fatalf("rendered url %q does not parse: %v", r.URL, err)
	}
	if p := u.EscapedPath(); u.Host != "127.0.0.1:1" || !strings.HasPrefix(p, "/x/") || strings.Count(p, "/") != 2 || len(u.Query()) > 1 || u.Fragment != "" {
		t.Fatalf("response values changed the request target: %q", r.URL)
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			if strings.ContainsAny(v, "\r\n") {
				t.Fatalf("header %s = %q holds a line break", k, v)
			}
		}
	}
	if strings.HasPrefix(r.ContentType, "application/json") {
		var m map[string]any
		if err := json.Unmarshal(r.Body, &m); err != nil || len(m) != 3 {
			t.Fatalf("JSON body %s: %v, %d keys; want 3 keys", r.Body, err, len(m))
		}
		return
	}
	checkXMLShape(t, r.Body)
}

// checkXMLShape wants <r><echo>text</echo><id a="..."/></r> and nothing else.
func checkXMLShape(t *testing.T, body []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(body))
	var elems []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("XML body %q is not well-formed: %v", body, err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			elems = append(elems, se.Name.Local)
			if se.Name.Local == "id" && len(se.Attr) != 1 {
				t.Fatalf("XML body %q: <id> has attributes %v", body, se.Attr)
			}
		}
	}
	if strings.Join(elems, ",") != "r,echo,id" {
		t.Fatalf("XML body %q has elements %v; want r, echo, id", body, elems)
	}
}
