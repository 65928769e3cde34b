package sfsim

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"runtime"
	"testing"
)

// TestGzipBodyBounded: a small gzipped body that inflates to 128 MB (a
// "zip bomb") is read no further than the 16 MB a plain body may have: it
// is refused as malformed JSON and the server allocates a bounded amount
// doing so. Before, the inflated body was read whole (about 280 MB
// allocated).
func TestGzipBodyBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("inflates 128 MB")
	}
	var bomb bytes.Buffer
	w, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	zeros := make([]byte, 1<<20)
	for range 128 {
		_, _ = w.Write(zeros)
	}
	_ = w.Close()
	e := newEnv(t)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	resp, body := e.call(http.MethodPost, "/services/data/v62.0/sobjects/Lead", bomb.String(), "Content-Encoding", "gzip")
	runtime.ReadMemStats(&after)
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("status %d (%s); want 400", resp.StatusCode, body)
	}
	const limit = 96 << 20
	got := after.TotalAlloc - before.TotalAlloc
	t.Logf("a %d-byte gzip bomb: %d MB allocated", bomb.Len(), got>>20)
	if got > limit {
		t.Errorf("serving a %d-byte gzip bomb allocated %d MB; want at most %d MB", bomb.Len(), got>>20, limit>>20)
	}
}
