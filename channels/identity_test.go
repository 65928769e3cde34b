package channels

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/botforge/dialogd/nodes"
)

var identitySecret = []byte("identity-secret-of-the-test-bot-0123456789")

// mint builds a compact JWT from a raw header and raw claims, signed with
// HMAC-SHA256 and secret whatever the header says.
func mint(header, claims string, secret []byte) string {
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(claims))
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(m.Sum(nil))
}

const hs256 = `{"alg":"HS256","typ":"JWT"}`

// claimsExp returns claims JSON with exp at now+d and the given extra members.
func claimsExp(d time.Duration, extra string) string {
	s := fmt.Sprintf(`{"exp":%d`, time.Now().Add(d).Unix())
	if extra != "" {
		s += "," + extra
	}
	return s + "}"
}

func TestParseIdentityTokenValid(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	exp := now.Unix() + 300
	tests := []struct {
		name     string
		header   string
		claims   string
		audience string
		at       time.Time
		want     nodes.Identity
	}{
		{
			name:   "all claims",
			header: hs256,
			claims: fmt.Sprintf(`{"sub":"cust-42","name":"Ada Lovelace","email":"ada@example.com","phone":"+44 20 7946 0000","exp":%d}`, exp),
			at:     now,
			want:   nodes.Identity{UserID: "id:cust-42", Subject: "cust-42", Name: "Ada Lovelace", Email: "ada@example.com", Phone: "+44 20 7946 0000", Verified: true},
		},
		{
			name:   "sub only, no typ",
			header: `{"alg":"HS256"}`,
			claims: fmt.Sprintf(`{"sub":"7","exp":%d}`, exp),
			at:     now,
			want:   nodes.Identity{UserID: "id:7", Subject: "7", Verified: true},
		},
		{
			name:   "expired less than the clock skew ago",
			header: hs256,
			claims: fmt.Sprintf(`{"sub":"a","exp":%d}`, now.Unix()-59),
			at:     now,
			want:   nodes.Identity{UserID: "id:a", Subject: "a", Verified: true},
		},
		{
			name:   "nbf within the clock skew",
			header: hs256,
			claims: fmt.Sprintf(`{"sub":"a","exp":%d,"nbf":%d}`, exp, now.Unix()+59),
			at:     now,
			want:   nodes.Identity{UserID: "id:a", Subject: "a", Verified: true},
		},
		{
			name:     "audience string matches",
			header:   hs256,
			claims:   fmt.Sprintf(`{"sub":"a","exp":%d,"aud":"leadbot"}`, exp),
			audience: "leadbot",
			at:       now,
			want:     nodes.Identity{UserID: "id:a", Subject: "a", Verified: true},
		},
		{
			name:     "audience array contains the bot",
			header:   hs256,
			claims:   fmt.Sprintf(`{"sub":"a","exp":%d,"aud":["crm","leadbot"]}`, exp),
			audience: "leadbot",
			at:       now,
			want:     nodes.Identity{UserID: "id:a", Subject: "a", Verified: true},
		},
		{
			name:     "no aud claim with an audience configured",
			header:   hs256,
			claims:   fmt.Sprintf(`{"sub":"a","exp":%d}`, exp),
			audience: "leadbot",
			at:       now,
			want:     nodes.Identity{UserID: "id:a", Subject: "a", Verified: true},
		},
		{
			name:   "aud not checked without an audience; unknown claims ignored; fractional exp",
			header: `{"alg":"HS256","kid":"k1"}`,
			claims: fmt.Sprintf(`{"sub":"user@example.com","exp":%d.5,"aud":"other","iat":%d,"roles":["x"]}`, exp, now.Unix()-60),
			at:     now,
			want:   nodes.Identity{UserID: "id:user@example.com", Subject: "user@example.com", Verified: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseIdentityToken(mint(tt.header, tt.claims, identitySecret), identitySecret, tt.audience, tt.at)
			if err != nil {
				t.Fatalf("ParseIdentityToken() error = %v; want nil", err)
			}
			if got != tt.want {
				t.Errorf("ParseIdentityToken() = %+v; want %+v", got, tt.want)
			}
		})
	}
}

func TestParseIdentityTokenRefused(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	exp := now.Unix() + 300
	good := fmt.Sprintf(`{"sub":"a","exp":%d}`, exp)
	valid := mint(hs256, good, identitySecret)
	head, rest, _ := strings.Cut(valid, ".")
	body, sig, _ := strings.Cut(rest, ".")
	enc := base64.RawURLEncoding

	tests := []struct {
		name     string
		token    string
		secret   []byte
		audience string
		want     error
	}{
		{"expired beyond the skew", mint(hs256, fmt.Sprintf(`{"sub":"a","exp":%d}`, now.Unix()-61), identitySecret), nil, "", ErrIdentityExpired},
		{"expired exactly at the skew", mint(hs256, fmt.Sprintf(`{"sub":"a","exp":%d}`, now.Unix()-60), identitySecret), nil, "", ErrIdentityExpired},
		{"not valid yet", mint(hs256, fmt.Sprintf(`{"sub":"a","exp":%d,"nbf":%d}`, exp, now.Unix()+120), identitySecret), nil, "", ErrIdentityNotYetValid},
		{"signed with another secret", mint(hs256, good, []byte("some-other-secret-of-32-bytes-or-more")), nil, "", ErrIdentitySignature},
		{"claims swapped after signing", head + "." + enc.EncodeToString([]byte(`{"sub":"admin","exp":9999999999}`)) + "." + sig, nil, "", ErrIdentitySignature},
		{"signature truncated", valid[:len(valid)-2], nil, "", ErrIdentityMalformed},
		{"signature empty", head + "." + body + ".", nil, "", ErrIdentitySignature},
		{"alg none, no signature", enc.EncodeToString([]byte(`{"alg":"none"}`)) + "." + body + ".", nil, "", ErrIdentityAlgorithm},
		{"alg none, signed anyway", mint(`{"alg":"none"}`, good, identitySecret), nil, "", ErrIdentityAlgorithm},
		{"alg None", mint(`{"alg":"None"}`, good, identitySecret), nil, "", ErrIdentityAlgorithm},
		{"alg HS512", mint(`{"alg":"HS512","typ":"JWT"}`, good, identitySecret), nil, "", ErrIdentityAlgorithm},
		{"alg RS256", mint(`{"alg":"RS256","typ":"JWT"}`, good, identitySecret), nil, "", ErrIdentityAlgorithm},
		{"alg hs256 lower case", mint(`{"alg":"hs256"}`, good, identitySecret), nil, "", ErrIdentityAlgorithm},
		{"alg missing", mint(`{"typ":"JWT"}`, good, identitySecret), nil, "", ErrIdentityAlgorithm},
		{"typ not JWT", mint(`{"alg":"HS256","typ":"JWE"}`, good, identitySecret), nil, "", ErrIdentityMalformed},
		{"crit header", mint(`{"alg":"HS256","crit":["b64"],"b64":false}`, good, identitySecret), nil, "", ErrIdentityMalformed},
		{"missing sub", mint(hs256, fmt.Sprintf(`{"exp":%d,"name":"Ada"}`, exp), identitySecret), nil, "", ErrIdentitySubject},
		{"empty sub", mint(hs256, fmt.Sprintf(`{"sub":"","exp":%d}`, exp), identitySecret), nil, "", ErrIdentitySubject},
		{"null sub", mint(hs256, fmt.Sprintf(`{"sub":null,"exp":%d}`, exp), identitySecret), nil, "", ErrIdentitySubject},
		{"sub with a newline", mint(hs256, fmt.Sprintf(`{"sub":"a\nb","exp":%d}`, exp), identitySecret), nil, "", ErrIdentitySubject},
		{"sub too long", mint(hs256, fmt.Sprintf(`{"sub":%q,"exp":%d}`, strings.Repeat("x", 256), exp), identitySecret), nil, "", ErrIdentitySubject},
		{"sub a number", mint(hs256, fmt.Sprintf(`{"sub":42,"exp":%d}`, exp), identitySecret), nil, "", ErrIdentityMalformed},
		{"missing exp", mint(hs256, `{"sub":"a"}`, identitySecret), nil, "", ErrIdentityMalformed},
		{"exp a string", mint(hs256, `{"sub":"a","exp":"9999999999"}`, identitySecret), nil, "", ErrIdentityMalformed},
		{"exp huge", mint(hs256, `{"sub":"a","exp":1e300}`, identitySecret), nil, "", ErrIdentityMalformed},
		{"wrong audience", mint(hs256, fmt.Sprintf(`{"sub":"a","exp":%d,"aud":"otherbot"}`, exp), identitySecret), nil, "leadbot", ErrIdentityAudience},
		{"audience array without the bot", mint(hs256, fmt.Sprintf(`{"sub":"a","exp":%d,"aud":["x","y"]}`, exp), identitySecret), nil, "leadbot", ErrIdentityAudience},
		{"audience of the wrong type", mint(hs256, fmt.Sprintf(`{"sub":"a","exp":%d,"aud":7}`, exp), identitySecret), nil, "leadbot", ErrIdentityMalformed},
		{"claims not an object", mint(hs256, `["sub","a"]`, identitySecret), nil, "", ErrIdentityMalformed},
		{"claims not JSON", mint(hs256, `sub=a`, identitySecret), nil, "", ErrIdentityMalformed},
		{"claims with trailing data", mint(hs256, good+`{}`, identitySecret), nil, "", ErrIdentityMalformed},
		{"header not JSON", mint(`alg=HS256`, good, identitySecret), nil, "", ErrIdentityMalformed},
		{"padded base64", head + "=." + body + "." + sig, nil, "", ErrIdentityMalformed},
		{"standard base64 alphabet", head + "." + body + ".+" + sig[1:], nil, "", ErrIdentityMalformed},
		{"two parts", head + "." + body, nil, "", ErrIdentityMalformed},
		{"four parts", valid + ".x", nil, "", ErrIdentityMalformed},
		{"garbage", "hello", nil, "", ErrIdentityMalformed},
		{"empty", "", nil, "", ErrIdentityMalformed},
		{"too long", mint(hs256, fmt.Sprintf(`{"sub":"a","exp":%d,"pad":%q}`, exp, strings.Repeat("p", MaxIdentityTokenLen)), identitySecret), nil, "", ErrIdentityMalformed},
		{"no secret configured", valid, []byte{}, "", ErrIdentityDisabled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secret := identitySecret
			if tt.secret != nil {
				secret = tt.secret
			}
			got, err := ParseIdentityToken(tt.token, secret, tt.audience, now)
			if !errors.Is(err, tt.want) {
				t.Fatalf("ParseIdentityToken() = %+v, %v; want error %v", got, err, tt.want)
			}
			var ie *IdentityError
			if !errors.As(err, &ie) {
				t.Errorf("error %T is not an *IdentityError", err)
			}
			if got != (nodes.Identity{}) {
				t.Errorf("identity on error = %+v; want zero", got)
			}
			if strings.Contains(err.Error(), "admin") || strings.Contains(err.Error(), string(identitySecret)) {
				t.Errorf("error %q repeats token content", err)
			}
		})
	}
}

// TestIdentityTokenLifetime (issue 11, item 6): a token may not live
// longer than the maximum (DefaultIdentityMaxLifetime, or the verifier's
// MaxLifetime): exp at most that far from now and from iat, and iat not
// in the future. A year-9999 exp is refused.
func TestIdentityTokenLifetime(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	at := func(d time.Duration) int64 { return now.Add(d).Unix() }
	day := DefaultIdentityMaxLifetime
	tests := []struct {
		name    string
		claims  string
		maxLife time.Duration // 0: the default
		want    error         // nil: accepted
	}{
		{"exp in the year 9999", `{"sub":"a","exp":253402300799}`, 0, ErrIdentityLifetime},
		{"exp a day and two minutes away, no iat", fmt.Sprintf(`{"sub":"a","exp":%d}`, at(day+2*time.Minute)), 0, ErrIdentityLifetime},
		{"exp a day away, no iat", fmt.Sprintf(`{"sub":"a","exp":%d}`, at(day)), 0, nil},
		{"exp a day plus the skew away", fmt.Sprintf(`{"sub":"a","exp":%d}`, at(day+IdentityClockSkew)), 0, nil},
		{"issued 2h ago for 25h", fmt.Sprintf(`{"sub":"a","iat":%d,"exp":%d}`, at(-2*time.Hour), at(23*time.Hour)), 0, ErrIdentityLifetime},
		{"issued 2h ago for 24h", fmt.Sprintf(`{"sub":"a","iat":%d,"exp":%d}`, at(-2*time.Hour), at(22*time.Hour)), 0, nil},
		{"issued long ago, exp soon, lifetime a year", fmt.Sprintf(`{"sub":"a","iat":%d,"exp":%d}`, at(-365*day), at(time.Minute)), 0, ErrIdentityLifetime},
		{"iat two minutes in the future", fmt.Sprintf(`{"sub":"a","iat":%d,"exp":%d}`, at(2*time.Minute), at(time.Hour)), 0, ErrIdentityNotYetValid},
		{"iat within the skew", fmt.Sprintf(`{"sub":"a","iat":%d,"exp":%d}`, at(IdentityClockSkew), at(time.Hour)), 0, nil},
		{"iat a string", fmt.Sprintf(`{"sub":"a","iat":"%d","exp":%d}`, at(0), at(time.Hour)), 0, ErrIdentityMalformed},
		{"bot maximum 5m: exp 10m away", fmt.Sprintf(`{"sub":"a","exp":%d}`, at(10*time.Minute)), 5 * time.Minute, ErrIdentityLifetime},
		{"bot maximum 5m: issued now for 6m", fmt.Sprintf(`{"sub":"a","iat":%d,"exp":%d}`, at(0), at(6*time.Minute)), 5 * time.Minute, ErrIdentityLifetime},
		{"bot maximum 5m: issued now for 5m", fmt.Sprintf(`{"sub":"a","iat":%d,"exp":%d}`, at(0), at(5*time.Minute)), 5 * time.Minute, nil},
		{"bot maximum 48h: exp 30h away", fmt.Sprintf(`{"sub":"a","exp":%d}`, at(30*time.Hour)), 48 * time.Hour, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := IdentityVerifier{Secret: identitySecret, MaxLifetime: tt.maxLife}
			got, err := v.Verify(mint(hs256, tt.claims, identitySecret), now)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("Verify() = %+v, %v; want error %v", got, err, tt.want)
			}
			if tt.maxLife == 0 {
				// ParseIdentityToken applies the default maximum.
				_, perr := ParseIdentityToken(mint(hs256, tt.claims, identitySecret), identitySecret, "", now)
				if !errors.Is(perr, tt.want) || (tt.want == nil) != (perr == nil) {
					t.Errorf("ParseIdentityToken() error = %v; want %v", perr, tt.want)
				}
			}
			if err != nil && strings.Contains(err.Error(), "253402300799") {
				t.Errorf("error %q repeats a claim value", err)
			}
		})
	}
}

// FuzzParseIdentityToken feeds arbitrary tokens to the parser: it must not
// panic, and whatever it accepts must carry a subject and the derived id.
func FuzzParseIdentityToken(f *testing.F) {
	now := time.Unix(1_700_000_000, 0)
	exp := now.Unix() + 300
	f.Add(mint(hs256, fmt.Sprintf(`{"sub":"a","exp":%d}`, exp), identitySecret))
	f.Add(mint(hs256, fmt.Sprintf(`{"sub":"a","exp":%d,"aud":["leadbot"],"name":"n"}`, exp), identitySecret))
	f.Add(mint(`{"alg":"none"}`, `{"sub":"a"}`, nil))
	f.Add("a.b.c")
	f.Add("..")
	f.Add("eyJhbGciOiJIUzI1NiJ9.e30.")
	f.Add(strings.Repeat(".", 10))
	f.Fuzz(func(t *testing.T, token string) {
		id, err := ParseIdentityToken(token, identitySecret, "leadbot", now)
		if err != nil {
			var ie *IdentityError
			if !errors.As(err, &ie) {
				t.Fatalf("error %T %v is not an *IdentityError", err, err)
			}
			return
		}
		if !id.Verified || id.Subject == "" || id.UserID != VerifiedUserPrefix+id.Subject {
			t.Fatalf("accepted identity %+v; want verified, a subject and UserID id:<subject>", id)
		}
		// An accepted token must really be signed with the secret.
		i := strings.LastIndexByte(token, '.')
		m := hmac.New(sha256.New, identitySecret)
		m.Write([]byte(token[:i]))
		if base64.RawURLEncoding.EncodeToString(m.Sum(nil)) != token[i+1:] {
			t.Fatalf("accepted token %q whose signature is not the HMAC of its first two parts", token)
		}
	})
}

// ---- over real sockets ----

func TestAnonymousUserID(t *testing.T) {
	ts := startServer(t, newFakeConv(), Options{})

	// A first connection gets a signed user id in its session frame.
	c1 := ts.dial(t, nil)
	s1 := expectType(t, c1, "session")
	if !ts.ws.signer.VerifyUser(s1.UserID) {
		t.Fatalf("session frame user_id = %q; want a signed anonymous user id", s1.UserID)
	}
	if s1.UserID == s1.SessionID || ts.ws.signer.Verify(s1.UserID) {
		t.Fatalf("user id %q passes as a session id", s1.UserID)
	}
	expectType(t, c1, "typing")
	expectType(t, c1, "message")
	roundTrip(t, c1, "m1", "hi")
	user := s1.UserID

	// Sent back: kept on a reconnect of the same session and on a new
	// session (another tab, or a later conversation).
	tests := []struct {
		name  string
		query url.Values
		start bool // a new session runs Start
	}{
		{"reconnect with replay", url.Values{"session": {s1.SessionID}, "last_seq": {"0"}, "user": {user}}, false},
		{"reconnect without replay", url.Values{"session": {s1.SessionID}, "user": {user}}, false},
		{"new session", url.Values{"user": {user}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ts.dial(t, tt.query)
			s := expectType(t, c, "session")
			if s.UserID != user {
				t.Fatalf("user_id = %q; want the one sent back, %q", s.UserID, user)
			}
			if tt.start {
				expectType(t, c, "typing")
				expectType(t, c, "message")
			} else if tt.query.Has("last_seq") {
				expectType(t, c, "message")  // greeting
				expectType(t, c, "message")  // echo of m1
				expectType(t, c, "replayed") // the end of the replay
			}
			roundTrip(t, c, "m-"+tt.name, "again")
		})
	}

	// Every call saw the anonymous user, in its argument and in its ctx.
	for i, call := range ts.conv.Idents() {
		want := nodes.Identity{UserID: user}
		if !call.ok || call.ident != want {
			t.Errorf("call %d (%s) ctx identity = %+v, %v; want %+v", i, call.kind, call.ident, call.ok, want)
		}
		if call.kind != "missed" && call.userID != user {
			t.Errorf("call %d (%s) userID = %q; want %q", i, call.kind, call.userID, user)
		}
	}
	kinds := map[string]int{}
	for _, call := range ts.conv.Idents() {
		kinds[call.kind]++
	}
	// missed: the replay of the resume with last_seq, and the frames a
	// resume without it reads (it sends none).
	if kinds["start"] != 2 || kinds["handle"] != 4 || kinds["missed"] != 2 {
		t.Errorf("calls by kind = %v; want 2 start, 4 handle, 2 missed", kinds)
	}
}

func TestForgedUserID(t *testing.T) {
	ts := startServer(t, newFakeConv(), Options{})
	victim := ts.ws.signer.IssueUser()
	randPart, tag, _ := strings.Cut(victim, ".")
	flipped := []byte(victim)
	flipped[2] ^= 1
	tests := []struct{ name, id string }{
		{"session id as user id", ts.ws.signer.Issue()},
		{"issued with another secret", NewSigner([]byte("another-secret-0123456789")).IssueUser()},
		{"random part changed", string(flipped)},
		{"tag from another id", randPart + "." + strings.SplitN(ts.ws.signer.IssueUser(), ".", 2)[1]},
		{"verified-looking id", "id:alice"},
		{"truncated", victim[:len(victim)-1]},
		{"suffix", victim + "A"},
		{"tag only", "." + tag},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ts.dial(t, url.Values{"user": {tt.id}})
			got := expectType(t, c, "session").UserID
			if got == tt.id || got == victim || !ts.ws.signer.VerifyUser(got) {
				t.Fatalf("user_id = %q; want a fresh signed id (presented %q)", got, tt.id)
			}
			expectType(t, c, "typing")
			expectType(t, c, "message")
			calls := ts.conv.Idents()
			if last := calls[len(calls)-1]; last.userID != got || last.ident.UserID != got || last.ident.Verified {
				t.Errorf("Start saw %+v; want the fresh anonymous id %q", last, got)
			}
		})
	}
}

func TestIdentityTokenAccepted(t *testing.T) {
	ts := startServer(t, newFakeConv(), Options{IdentitySecret: identitySecret, Bot: "leadbot"})
	token := mint(hs256, claimsExp(5*time.Minute, `"sub":"cust-42","name":"Ada","email":"ada@example.com","phone":"+15550100","aud":"leadbot"`), identitySecret)
	want := nodes.Identity{UserID: "id:cust-42", Subject: "cust-42", Name: "Ada", Email: "ada@example.com", Phone: "+15550100", Verified: true}

	// The token wins over an anonymous id sent along with it.
	anon := ts.ws.signer.IssueUser()
	c := ts.dial(t, url.Values{"identity": {token}, "user": {anon}})
	s := expectType(t, c, "session")
	if s.UserID != "id:cust-42" {
		t.Fatalf("user_id = %q; want %q", s.UserID, "id:cust-42")
	}
	expectType(t, c, "typing")
	expectType(t, c, "message")
	roundTrip(t, c, "m1", "hello")

	// A second device (new session, no anonymous id) is the same user.
	c2 := ts.dial(t, url.Values{"identity": {token}})
	if got := expectType(t, c2, "session").UserID; got != "id:cust-42" {
		t.Fatalf("second device user_id = %q; want %q", got, "id:cust-42")
	}
	expectType(t, c2, "typing")
	expectType(t, c2, "message")

	calls := ts.conv.Idents()
	if len(calls) != 3 {
		t.Fatalf("calls = %d; want 3 (start, handle, start)", len(calls))
	}
	for i, call := range calls {
		if !call.ok || call.ident != want || call.userID != want.UserID {
			t.Errorf("call %d (%s) saw userID %q, identity %+v (%v); want %q and %+v", i, call.kind, call.userID, call.ident, call.ok, want.UserID, want)
		}
	}
}

func TestIdentityTokenRefusedOverSocket(t *testing.T) {
	enc := base64.RawURLEncoding
	good := claimsExp(5*time.Minute, `"sub":"cust-42"`)
	tests := []struct {
		name   string
		opts   Options
		token  string
		reason string // start of the error frame's message
	}{
		{"expired", Options{}, mint(hs256, claimsExp(-2*time.Minute, `"sub":"a"`), identitySecret), "identity token has expired"},
		{"bad signature", Options{}, mint(hs256, good, []byte("not-the-identity-secret-of-this-bot")), "identity token signature is invalid"},
		{"alg none", Options{}, enc.EncodeToString([]byte(`{"alg":"none"}`)) + "." + enc.EncodeToString([]byte(good)) + ".", "identity token algorithm is not HS256"},
		{"wrong alg", Options{}, mint(`{"alg":"HS384"}`, good, identitySecret), "identity token algorithm is not HS256"},
		{"missing sub", Options{}, mint(hs256, claimsExp(5*time.Minute, `"name":"Ada"`), identitySecret), "identity token has no usable subject"},
		{"wrong audience", Options{Bot: "leadbot"}, mint(hs256, claimsExp(5*time.Minute, `"sub":"a","aud":"otherbot"`), identitySecret), "identity token is for another audience"},
		{"garbage", Options{}, "garbage", "identity token is malformed"},
		{"empty", Options{}, "", "identity token is malformed"},
		{"no identity secret configured", Options{IdentitySecret: []byte{}}, mint(hs256, good, identitySecret), "identity tokens are not accepted by this bot"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conv := newFakeConv()
			opts := tt.opts
			if opts.IdentitySecret == nil {
				opts.IdentitySecret = identitySecret
			} else if len(opts.IdentitySecret) == 0 {
				opts.IdentitySecret = nil
			}
			ts := startServer(t, conv, opts)
			// A valid anonymous id alongside must not be used as a fallback.
			c := ts.dial(t, url.Values{"identity": {tt.token}, "user": {ts.ws.signer.IssueUser()}})
			f := expectType(t, c, "error")
			if f.Code != CodeBadIdentity || !strings.HasPrefix(f.Message, tt.reason) {
				t.Errorf("error frame = code %q message %q; want code %q, message starting %q", f.Code, f.Message, CodeBadIdentity, tt.reason)
			}
			if code := closeCode(t, c); code != websocket.ClosePolicyViolation {
				t.Errorf("close code = %d; want %d (policy violation)", code, websocket.ClosePolicyViolation)
			}
			if calls := conv.Calls(); len(calls) != 0 {
				t.Errorf("Conversations calls = %q; want none for a refused identity", calls)
			}
		})
	}
}

func TestNewShortIdentitySecretPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New with a 31-byte identity secret did not panic")
		}
	}()
	New(newFakeConv(), Options{Secret: testSecret, IdentitySecret: make([]byte, MinIdentitySecretLen-1)})
}

// BenchmarkParseIdentityToken measures verifying a typical token: the cost
// a connection with ?identity= adds to its handshake.
func BenchmarkParseIdentityToken(b *testing.B) {
	now := time.Now()
	token := mint(hs256, claimsExp(5*time.Minute, `"sub":"cust-42","name":"Ada","email":"ada@example.com","aud":"leadbot"`), identitySecret)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseIdentityToken(token, identitySecret, "leadbot", now); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(token)), "token-bytes")
}
