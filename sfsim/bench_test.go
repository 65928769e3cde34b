package sfsim

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// report records wall-clock throughput (calls/s) and the CPU the process
// (server and client together) spent per call, which stays meaningful when
// the machine is shared.
func report(b *testing.B, cpu0 time.Duration) {
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/call")
}

// benchEnv starts sfsim on a loopback listener and returns a keep-alive
// client sized for parallel workers.
func benchEnv(b *testing.B) (*Server, *httptest.Server, *http.Client, string) {
	b.Helper()
	s, err := New()
	if err != nil {
		b.Fatal(err)
	}
	s.SetDailyAPILimit(1 << 30)
	ts := httptest.NewServer(s)
	b.Cleanup(ts.Close)
	g, err := s.IssueToken(demoUser)
	if err != nil {
		b.Fatal(err)
	}
	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}
	b.Cleanup(tr.CloseIdleConnections)
	return s, ts, &http.Client{Transport: tr}, g.AccessToken
}

func benchDo(b *testing.B, c *http.Client, req *http.Request, want int) {
	resp, err := c.Do(req)
	if err != nil {
		b.Error(err)
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		b.Errorf("%s %s: status %d, want %d", req.Method, req.URL.Path, resp.StatusCode, want)
	}
}

// BenchmarkCreateRecord measures POST /sobjects/Contact over loopback with
// parallel keep-alive clients; calls/s is the throughput.
func BenchmarkCreateRecord(b *testing.B) {
	_, ts, c, tok := benchEnv(b)
	u := ts.URL + "/services/data/v62.0/sobjects/Contact"
	var n atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	cpu0 := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			body := fmt.Sprintf(`{"FirstName":"Bench","LastName":"Contact %d","Email":"bench%d@load.example","Phone":"+1 555 %07d"}`, i, i, i)
			req, _ := http.NewRequest(http.MethodPost, u, bytes.NewBufferString(body))
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", "application/json")
			benchDo(b, c, req, http.StatusCreated)
		}
	})
	report(b, cpu0)
}

// BenchmarkSimpleQuery measures an indexed SOQL lookup by Email among
// 10,000 contacts over loopback; calls/s is the throughput.
func BenchmarkSimpleQuery(b *testing.B) {
	s, ts, c, tok := benchEnv(b)
	u := s.userByUsername(demoUser)
	const n = 10000
	for i := 0; i < n; i++ {
		if _, err := s.createRecord(u, "Contact", map[string]any{"LastName": fmt.Sprintf("Q%d", i), "Email": fmt.Sprintf("q%d@load.example", i)}); err != nil {
			b.Fatal(err)
		}
	}
	var k atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	cpu0 := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := k.Add(1) % n
			q := url.QueryEscape(fmt.Sprintf("SELECT Id, Name, Email FROM Contact WHERE Email = 'q%d@load.example'", i))
			req, _ := http.NewRequest(http.MethodGet, ts.URL+"/services/data/v62.0/query?q="+q, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			benchDo(b, c, req, http.StatusOK)
		}
	})
	report(b, cpu0)
}

// BenchmarkReadByID measures GET /sobjects/Contact/{id} over loopback.
func BenchmarkReadByID(b *testing.B) {
	s, ts, c, tok := benchEnv(b)
	u := s.userByUsername(demoUser)
	ids := make([]string, 1000)
	for i := range ids {
		id, err := s.createRecord(u, "Contact", map[string]any{"LastName": fmt.Sprintf("R%d", i)})
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = id
	}
	var k atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	cpu0 := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := ids[k.Add(1)%int64(len(ids))]
			req, _ := http.NewRequest(http.MethodGet, ts.URL+"/services/data/v62.0/sobjects/Contact/"+id, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			benchDo(b, c, req, http.StatusOK)
		}
	})
	report(b, cpu0)
}
