package sessions

import (
	"bytes"
	"testing"
)

func FuzzFrameRoundTrip(f *testing.F) {
	f.Add(uint64(0), []byte(nil))
	f.Add(uint64(1), []byte(`{"seq":1}`))
	f.Add(^uint64(0), []byte{0, 0xff, '\n'})
	f.Fuzz(func(t *testing.T, seq uint64, data []byte) {
		enc := appendFrame(nil, Frame{Seq: seq, Data: data})
		got, err := decodeFrame(string(enc))
		if err != nil {
			t.Fatalf("decodeFrame(appendFrame(%d, %q)): %v", seq, data, err)
		}
		if got.Seq != seq || !bytes.Equal(got.Data, data) {
			t.Fatalf("round trip = %d %q; want %d %q", got.Seq, got.Data, seq, data)
		}
		if _, err := decodeFrame(string(enc[:min(len(enc), 7)])); err == nil {
			t.Fatalf("decodeFrame of a %d-byte entry succeeded; want an error", min(len(enc), 7))
		}
	})
}
