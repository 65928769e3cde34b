package channels

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/botforge/dialogd/nodes"
)

func TestParseClientFrame(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want nodes.Input
	}{
		{"message", `{"type":"message","id":"m1","text":"hi"}`, nodes.Input{ID: "m1", Text: "hi"}},
		{"postback with label", `{"type":"postback","id":"p1","payload":"yes","text":"Yes"}`, nodes.Input{ID: "p1", Text: "Yes", Payload: "yes"}},
		{"postback without label", `{"type":"postback","id":"p1","payload":"yes"}`, nodes.Input{ID: "p1", Payload: "yes"}},
		{"unknown fields ignored", `{"type":"message","id":"m1","text":"hi","locale":"de","meta":{"a":1}}`, nodes.Input{ID: "m1", Text: "hi"}},
		{"message payload ignored", `{"type":"message","id":"m1","text":"hi","payload":"x"}`, nodes.Input{ID: "m1", Text: "hi"}},
		{"unicode", `{"type":"message","id":"m\u00e9","text":"\u3053\u3093\u306b\u3061\u306f"}`, nodes.Input{ID: "mé", Text: "こんにちは"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseClientFrame([]byte(tt.in))
			if err != nil || got != tt.want {
				t.Errorf("parseClientFrame(%s) = %+v, %v; want %+v, nil", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseClientFrameRejects(t *testing.T) {
	tests := []struct {
		in          string
		wantReplyTo string
		wantReason  string
	}{
		{``, "", "not a JSON object"},
		{`{`, "", "not a JSON object"},
		{`{"type":"message","id":"m1","text":"hi"}{}`, "", "not a JSON object"},
		{`{"type":"message","id":"m1","text":["hi"]}`, "m1", "not a JSON object"},
		{`{"type":1}`, "", "not a JSON object"},
		{`{}`, "", "type is missing"},
		{`{"type":"Message","id":"m1","text":"hi"}`, "m1", "unknown frame type"},
		{`{"type":"message","text":"hi"}`, "", "needs an id"},
		{`{"type":"message","id":"m1","text":""}`, "m1", "needs a text"},
		{`{"type":"postback","payload":"p"}`, "", "needs an id"},
		{`{"type":"postback","id":"p1","payload":""}`, "p1", "needs a payload"},
		{`{"type":"message","id":"` + strings.Repeat("i", MaxClientIDLen+1) + `","text":"hi"}`, "", "longer than"},
	}
	for _, tt := range tests {
		_, err := parseClientFrame([]byte(tt.in))
		var bad *badFrameError
		if !errors.As(err, &bad) {
			t.Errorf("parseClientFrame(%.40s) error = %v; want *badFrameError", tt.in, err)
			continue
		}
		if bad.ReplyTo != tt.wantReplyTo || !strings.Contains(bad.Reason, tt.wantReason) {
			t.Errorf("parseClientFrame(%.40s) = reply_to %q, reason %q; want %q, %q", tt.in, bad.ReplyTo, bad.Reason, tt.wantReplyTo, tt.wantReason)
		}
	}
}

func TestErrorCode(t *testing.T) {
	tests := []struct {
		err      error
		wantCode string
	}{
		{errors.New("boom"), CodeInternal},
		{codedError{code: "unavailable"}, CodeUnavailable},
		{codedError{code: ""}, CodeInternal},
		{codedError{code: strings.Repeat("a", 33)}, CodeInternal},
		{codedError{code: "has space"}, CodeInternal},
		{codedError{code: "auth_expired2"}, "auth_expired2"},
	}
	for _, tt := range tests {
		code, msg := errorCode(tt.err)
		if code != tt.wantCode || msg == "" {
			t.Errorf("errorCode(%v) = %q, %q; want %q and a message", tt.err, code, msg, tt.wantCode)
		}
	}
}

// FuzzParseClientFrame checks that the parser never panics, that an accepted
// frame satisfies the protocol's field rules and survives a re-encode, and
// that a rejected frame only ever echoes back a bounded id.
func FuzzParseClientFrame(f *testing.F) {
	for _, seed := range []string{
		`{"type":"message","id":"m1","text":"hi"}`,
		`{"type":"postback","id":"p1","payload":"yes","text":"Yes"}`,
		`{"type":"message","id":7,"text":"hi"}`,
		`{"type":"message","id":"m1","text":"\ud800"}`,
		`{"type":"postback","id":"","payload":""}`,
		`[{"type":"message"}]`,
		`null`,
		"\xff\xfe",
		`{"type":"message","id":"m1","text":"hi","type":"postback"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := parseClientFrame(data)
		if err != nil {
			var bad *badFrameError
			if !errors.As(err, &bad) {
				t.Fatalf("error %v is not a *badFrameError", err)
			}
			if len(bad.ReplyTo) > MaxClientIDLen || bad.Reason == "" {
				t.Fatalf("bad frame error %+v: reply_to too long or no reason", bad)
			}
			return
		}
		if in.ID == "" || len(in.ID) > MaxClientIDLen {
			t.Fatalf("accepted id %q of length %d", in.ID, len(in.ID))
		}
		if in.Payload == "" && strings.TrimSpace(in.Text) == "" {
			t.Fatalf("accepted input %+v with neither text nor payload", in)
		}
		if !utf8.ValidString(in.ID) || !utf8.ValidString(in.Text) || !utf8.ValidString(in.Payload) {
			t.Fatalf("accepted input %+v is not valid UTF-8", in)
		}
		typ := frameMessage
		if in.Payload != "" {
			typ = framePostback
		}
		again, err := json.Marshal(clientFrame{Type: typ, ID: in.ID, Text: in.Text, Payload: in.Payload})
		if err != nil {
			t.Fatal(err)
		}
		back, err := parseClientFrame(again)
		if err != nil || back != in {
			t.Fatalf("re-encoded frame %s parsed as %+v, %v; want %+v", again, back, err, in)
		}
	})
}

// TestFrameSeq reads the seq of runtime frames without decoding them, and
// of any other frame by decoding it; both agree.
func TestFrameSeq(t *testing.T) {
	for _, tc := range []struct {
		frame string
		want  uint64
	}{
		{`{"type":"message","seq":12,"text":"hi"}`, 12},
		{`{"type":"message","seq":7}`, 7},
		{`{"type":"typing"}`, 0},
		{`{"seq":5,"type":"message"}`, 5},
		{`{"type":"message","text":"\"seq\":9"}`, 0},
		{`{"type":"a\"b","seq":3}`, 3},
		{`{"type":"message","seq":18446744073709551615}`, 18446744073709551615},
		{`{"type":"message","seq":1x}`, 0},
		{`not json`, 0},
	} {
		if got := frameSeq([]byte(tc.frame)); got != tc.want {
			t.Errorf("frameSeq(%s) = %d; want %d", tc.frame, got, tc.want)
		}
	}
}
