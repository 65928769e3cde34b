package channels

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/botforge/dialogd/nodes"
)

// greeterConv answers Start with one fixed frame and keeps nothing, so that
// a memory measurement sees the channel's own cost only.
type greeterConv struct{}

var greeting = []byte(`{"type":"message","seq":1,"text":"Hello!","input":"expecting"}`)

func (greeterConv) Start(context.Context, string, string) ([][]byte, error) {
	return [][]byte{greeting}, nil
}

func (greeterConv) Handle(_ context.Context, _, _ string, in nodes.Input) ([][]byte, error) {
	return [][]byte{greeting}, nil
}

func (greeterConv) Missed(context.Context, string, uint64) ([][]byte, error) { return nil, nil }

const (
	benchClientsEnv = "DIALOGD_WS_BENCH_CLIENTS" // "<ws url> <n>" in the child process
	idleConns       = 2000
)

// BenchmarkIdleConnMemory measures the server-side memory of an idle
// connection: it opens idleConns real connections, lets each finish its
// start turn, forces GC and reports the growth of HeapInuse+StackInuse
// divided by the number of connections, plus goroutines per connection.
//
// The clients run in a child process (this test binary, re-executed into
// TestHelperIdleClients), so that their sockets, buffers and goroutines do
// not count against the server; the measured growth is the server's
// listener-side sockets, gorilla connections, this package's structures and
// reader goroutines. The measurement is made once; the b.Loop body is empty
// and ns/op is not meaningful (it is reported as 0). Run it with:
//
//	go test -run '^$' -bench IdleConnMemory ./channels
func BenchmarkIdleConnMemory(b *testing.B) {
	ws := New(greeterConv{}, Options{Secret: testSecret})
	hs := httptest.NewServer(ws)
	defer hs.Close()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = ws.Shutdown(ctx)
	}()
	url := "ws" + strings.TrimPrefix(hs.URL, "http") + "/ws"

	before, goBefore := settledMem()

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperIdleClients$")
	cmd.Env = append(os.Environ(), benchClientsEnv+"="+url+" "+strconv.Itoa(idleConns))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		stdin.Close() // the child exits when its stdin closes
		_ = cmd.Wait()
	}()
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && sc.Text() != "ready" {
	}
	if sc.Err() != nil {
		b.Fatal(sc.Err())
	}
	if got := ws.live.count(); got != idleConns {
		b.Fatalf("server holds %d connections; want %d", got, idleConns)
	}
	// Every start turn has finished once its greeting reached the client,
	// but its goroutine may still be returning.
	if !waitCtx(context.Background(), &ws.turns) {
		b.Fatal("turn goroutines did not finish")
	}

	after, goAfter := settledMem()
	for b.Loop() {
	}
	// After the loop: b.Loop resets the timer, which drops earlier metrics.
	b.ReportMetric(float64(int64(after.total())-int64(before.total()))/idleConns, "bytes/idle-conn")
	b.ReportMetric(float64(int64(after.stack)-int64(before.stack))/idleConns, "stack-bytes/idle-conn")
	b.ReportMetric(float64(goAfter-goBefore)/idleConns, "goroutines/idle-conn")
	b.ReportMetric(0, "ns/op")
}

type memUse struct{ heap, stack uint64 }

func (m memUse) total() uint64 { return m.heap + m.stack }

// settledMem returns HeapInuse, StackInuse and the goroutine count after GC.
func settledMem() (memUse, int) {
	var ms runtime.MemStats
	for range 3 {
		runtime.GC()
	}
	runtime.ReadMemStats(&ms)
	return memUse{heap: ms.HeapInuse, stack: ms.StackInuse}, runtime.NumGoroutine()
}

// TestHelperIdleClients is the client side of BenchmarkIdleConnMemory, run
// in a child process. It does nothing in a normal test run.
func TestHelperIdleClients(t *testing.T) {
	spec := os.Getenv(benchClientsEnv)
	if spec == "" {
		t.Skip("client process of BenchmarkIdleConnMemory")
	}
	url, nStr, _ := strings.Cut(spec, " ")
	n, err := strconv.Atoi(nStr)
	if err != nil {
		t.Fatal(err)
	}
	d := websocket.Dialer{ReadBufferSize: 256, WriteBufferSize: 256, HandshakeTimeout: 30 * time.Second}
	conns := make([]*websocket.Conn, 0, n)
	for i := range n {
		c, _, err := d.Dial(url, nil)
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		// session, typing and greeting: the start turn is over.
		for range 3 {
			if _, _, err := c.ReadMessage(); err != nil {
				t.Fatalf("conn %d: %v", i, err)
			}
		}
		conns = append(conns, c)
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	for _, c := range conns {
		c.Close()
	}
}
