package dialog

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestSeenListRoundTrip(t *testing.T) {
	tests := []seenList{
		nil,
		{{ID: "c-1", From: 1, To: 1}},
		{{ID: "a;b:c,d", From: 3, To: 5}, {ID: "", From: 0, To: 0}, {ID: "日本語", From: 18446744073709551615, To: 18446744073709551615}},
	}
	for _, want := range tests {
		b, err := json.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		var got seenList
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("Unmarshal(%s): %v", b, err)
		}
		if len(want) == 0 && len(got) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("round trip of %+v via %s = %+v", want, b, got)
		}
	}
}

func TestSeenListRejectsMalformed(t *testing.T) {
	for _, in := range []string{`"3:ab"`, `"x:abc,1;"`, `"3:abc;"`, `"3:abc,z;"`, `"3:abc,1,q;"`, `"9:abc,1;"`, `"-1:,1;"`, `5`} {
		var l seenList
		if err := json.Unmarshal([]byte(in), &l); err == nil {
			t.Errorf("Unmarshal(%s) = %+v, want an error", in, l)
		}
	}
}

func FuzzSeenList(f *testing.F) {
	f.Add("c-1", uint64(1), uint64(2))
	f.Add("a;b:c,", uint64(0), uint64(0))
	f.Fuzz(func(t *testing.T, id string, from, to uint64) {
		want := seenList{{ID: id, From: from, To: to}, {ID: id + "x", From: to, To: from}}
		b, err := json.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		var got seenList
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("Unmarshal(%s): %v", b, err)
		}
		var again []byte
		if again, err = json.Marshal(got); err != nil || string(again) != string(b) {
			t.Fatalf("re-encoding %s gave %s", b, again)
		}
	})
}
