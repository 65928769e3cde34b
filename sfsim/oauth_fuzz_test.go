package sfsim

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// FuzzParseJWTAssertion: no input panics the parser; accepted input has a
// signing input equal to its first two segments, and a verified signature
// stops verifying when the signed bytes change.
func FuzzParseJWTAssertion(f *testing.F) {
	key, _, cert := keys(f)
	f.Add(signJWT(f, key, map[string]any{"iss": jwtKey, "sub": tUser, "aud": "https://login.salesforce.com", "exp": "1999999999"}))
	f.Add(signJWT(f, key, map[string]any{"iss": 7, "aud": []any{"x", 1}, "exp": 1.5e9}))
	f.Add("eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.")
	f.Add("a.b.c")
	f.Add("..")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := parseJWTAssertion(s)
		if err != nil {
			return
		}
		parts := strings.Split(s, ".")
		if got := string(a.signingInput); got != parts[0]+"."+parts[1] {
			t.Fatalf("signingInput = %q; want %q", got, parts[0]+"."+parts[1])
		}
		if a.verify(cert) == nil {
			// The signature must cover the whole signing input: any change
			// to it breaks verification.
			tampered := *a
			tampered.signingInput = bytes.Clone(a.signingInput)
			tampered.signingInput[len(tampered.signingInput)-1] ^= 1
			if tampered.verify(cert) == nil {
				t.Fatalf("tampered signing input still verifies")
			}
		}
	})
}

// FuzzAuthorizeRedirect: whatever the query, authorize never redirects
// anywhere but a registered callback, and never echoes input unescaped.
func FuzzAuthorizeRedirect(f *testing.F) {
	s, err := New(WithFixture(oauthFixture(f)), WithClock(func() time.Time { return time.Date(2026, 5, 14, 0, 0, 0, 0, time.UTC) }))
	if err != nil {
		f.Fatal(err)
	}
	f.Add("response_type=code&client_id=" + webKey + "&redirect_uri=" + url.QueryEscape(callbackURL) + "&state=<script>")
	f.Add("response_type=token&client_id=" + webKey + "&redirect_uri=" + url.QueryEscape(callbackURL))
	f.Add("response_type=code&client_id=" + webKey + "&redirect_uri=https://evil.example&login_hint=%3Cscript%3E")
	f.Add("client_id=%3Cscript%3E&redirect_uri=" + url.QueryEscape(callbackURL+"?x=1"))
	f.Add("response_type=code&client_id=" + webKey + "&redirect_uri=" + url.QueryEscape(callbackURL) + "&login_hint=\"><script>alert(1)</script>&prompt=login")
	f.Fuzz(func(t *testing.T, rawQuery string) {
		req := httptest.NewRequest(http.MethodGet, "/services/oauth2/authorize", nil)
		req.URL.RawQuery = rawQuery
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusFound:
			loc := rec.Header().Get("Location")
			if !strings.HasPrefix(loc, callbackURL+"?") {
				t.Fatalf("redirect to %q; only %s is registered", loc, callbackURL)
			}
		case http.StatusOK, http.StatusBadRequest:
			if strings.Contains(strings.ToLower(rec.Body.String()), "<script") {
				t.Fatalf("page contains an unescaped <script:\n%s", rec.Body)
			}
		default:
			t.Fatalf("status %d; want 200, 302 or 400", rec.Code)
		}
	})
}

// FuzzSOAPEnvelope: any body gets a well-formed XML answer, 200 or a 500
// fault, and never a session without valid credentials.
func FuzzSOAPEnvelope(f *testing.F) {
	s, err := New(WithFixture(oauthFixture(f)))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(soapEnv("", soapLoginBody(tUser, "wrong")))
	f.Add(soapEnv(sessionHeader("x"), "<urn:convertLead><urn:leadConverts><urn:leadId>1</urn:leadId></urn:leadConverts></urn:convertLead>"))
	f.Add(soapEnv("", "<urn:login><urn:username>a</urn:username></urn:login><urn:login/>"))
	f.Add("<Envelope>")
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, soapPath, strings.NewReader(body))
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK && rec.Code != http.StatusInternalServerError {
			t.Fatalf("status %d; want 200 or 500", rec.Code)
		}
		if rec.Code == http.StatusOK && strings.Contains(rec.Body.String(), "<sessionId>") {
			t.Fatalf("login succeeded for fuzzed input %q", body)
		}
		dec := xml.NewDecoder(rec.Body)
		for {
			if _, err := dec.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("response is not well-formed XML: %v", err)
			}
		}
	})
}
