package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPrintCredentials(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"-print-credentials"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errb.String())
	}
	var got map[string]string
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("output %q is not one JSON object: %v", out.String(), err)
	}
	for _, k := range []string{"client_id", "client_secret", "username", "password", "security_token"} {
		if got[k] == "" {
			t.Errorf("credentials lack %q: %v", k, got)
		}
	}
	if len(got) != 5 {
		t.Errorf("credentials have %d keys; want exactly 5: %v", len(got), got)
	}
}

func TestBadFlags(t *testing.T) {
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"-nope"}, 2},
		{[]string{"extra"}, 2},
		{[]string{"-fixture", "/does/not/exist.yaml"}, 1},
		{[]string{"-addr", "256.0.0.1:99999"}, 1},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		if got := run(context.Background(), tt.args, &out, &errb); got != tt.want {
			t.Errorf("run(%q) = %d; want %d (stderr %q)", tt.args, got, tt.want, errb.String())
		}
	}
}

// lineWriter hands each written line to a channel.
type lineWriter struct{ w *io.PipeWriter }

func (l lineWriter) Write(p []byte) (int, error) { return l.w.Write(p) }

func TestServeAndPersist(t *testing.T) {
	data := filepath.Join(t.TempDir(), "org.json")
	start := func() (base string, stop func() int) {
		ctx, cancel := context.WithCancel(context.Background())
		pr, pw := io.Pipe()
		done := make(chan int, 1)
		go func() {
			done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-data", data}, lineWriter{pw}, io.Discard)
			pw.Close()
		}()
		first, err := bufio.NewReader(pr).ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		go io.Copy(io.Discard, pr)
		f := strings.Fields(first)
		if len(f) < 4 || f[1] != "listening" {
			t.Fatalf("first line %q", first)
		}
		return f[3], func() int { cancel(); return <-done }
	}
	base, stop := start()
	tok := issueToken(t, base)
	req, _ := http.NewRequest("POST", base+"/services/data/v62.0/sobjects/Account", strings.NewReader(`{"Name":"Persisted Co"}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %v %v", resp, err)
	}
	resp.Body.Close()
	if code := stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	if _, err := os.Stat(data); err != nil {
		t.Fatalf("data file not written: %v", err)
	}
	base, stop = start()
	defer stop()
	// The token survives the restart, and so does the record.
	req, _ = http.NewRequest("GET", base+"/services/data/v62.0/query?q=SELECT+Name+FROM+Account+WHERE+Name='Persisted+Co'", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"totalSize":1`) {
		t.Fatalf("after restart: %d %s", resp.StatusCode, b)
	}
}

func issueToken(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Post(base+"/__sim__/token", "application/json", strings.NewReader(`{"username":"demo@dialogd.example"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || v.AccessToken == "" {
		t.Fatalf("token: %v %+v", err, v)
	}
	return v.AccessToken
}

func TestFixtureAndMyDomainFlags(t *testing.T) {
	fx := filepath.Join(t.TempDir(), "org.yaml")
	yaml := "org: {myDomain: fixture.my.salesforce.com}\n" +
		"users: [{username: u@x.example, password: pw, securityToken: tok}]\n" +
		"apps: [{consumerKey: key1, consumerSecret: sec1, allowPasswordFlow: true}]\n"
	if err := os.WriteFile(fx, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"-fixture", fx, "-print-credentials"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	want := `{"client_id":"key1","client_secret":"sec1","username":"u@x.example","password":"pw","security_token":"tok"}`
	if got := strings.TrimSpace(out.String()); got != want {
		t.Errorf("credentials = %s; want %s", got, want)
	}
}
