package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// startSim runs sfsim with args on a free port until the test ends and
// returns its base URL.
func startSim(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	var errb bytes.Buffer
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), lineWriter{pw}, &errb)
		pw.Close()
	}()
	first, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("sfsim %q did not start: %v (exit %d, stderr %q)", args, err, <-done, errb.String())
	}
	go io.Copy(io.Discard, pr)
	t.Cleanup(func() { cancel(); <-done })
	f := strings.Fields(first)
	if len(f) < 4 || f[1] != "listening" {
		t.Fatalf("first line %q", first)
	}
	return f[3]
}

// authorizeStatus asks sfsim's authorize endpoint to start the code flow
// of the demo app for redirect and returns the status and page.
func authorizeStatus(t *testing.T, base, redirect string) (int, string) {
	t.Helper()
	q := url.Values{"response_type": {"code"}, "client_id": {"3MVG9dialogdDemoConsumerKey.sfsim"}, "redirect_uri": {redirect}}
	resp, err := http.Get(base + "/services/oauth2/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestCallbackURLFlag is issue 9 bug 1 for the Salesforce example: botd on a
// port other than 8080 is an allowed callback when sfsim is told so.
func TestCallbackURLFlag(t *testing.T) {
	const port9090 = "http://127.0.0.1:9090/oauth/callback"
	const other = "http://localhost:9191/oauth/callback"
	base := startSim(t, "-callback-url", port9090, "-callback-url", other)
	tests := []struct {
		redirect string
		want     int
	}{
		{port9090, http.StatusOK},
		{other, http.StatusOK},
		{"http://127.0.0.1:8080/oauth/callback", http.StatusOK}, // the fixture's own stay
		{"http://127.0.0.1:9292/oauth/callback", http.StatusBadRequest},
	}
	for _, tt := range tests {
		code, page := authorizeStatus(t, base, tt.redirect)
		if code != tt.want {
			t.Errorf("authorize with redirect_uri %s: status %d; want %d (page %.200q)", tt.redirect, code, tt.want, page)
		}
		if tt.want == http.StatusBadRequest && !strings.Contains(page, "redirect_uri_mismatch") {
			t.Errorf("authorize with redirect_uri %s: page %.200q; want redirect_uri_mismatch", tt.redirect, page)
		}
	}
}

func TestCallbackURLFlagRefusesRelative(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-callback-url", "/oauth/callback"}, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "not absolute") {
		t.Errorf("run with a relative -callback-url = %d, stderr %q; want 1 and a message saying it is not absolute", code, errb.String())
	}
}
