package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestDemoPageNamesTheBot is issue 9 bug 10 (last part): botd's page at
// "/" names the bot /ws serves and suggests that bot's tasks, not the demo
// bot's.
func TestDemoPageNamesTheBot(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"embedded demo", nil, []string{
			"<title>demo · dialogd demo</title>", "<h1>demo</h1>", "Creates leads and books product demos.",
			"Try <em>Book a demo</em> or <em>Create a lead</em> in the chat window.", `data-title="demo"`,
		}},
		{"salesforce example", []string{"-bot", "../../examples/salesforce"}, []string{
			"<title>salesforce · dialogd demo</title>", "<h1>salesforce</h1>",
			"Try <em>Open a case</em>, <em>Create a lead</em> or <em>My open cases</em> in the chat window.", `data-title="salesforce"`,
		}},
		{"first of several bots", []string{"-bot", "../../examples/salesforce,../../examples/bench"}, []string{"<h1>salesforce</h1>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := startBotd(t, nil, tt.args...)
			resp, err := http.Get("http://" + in.addr + "/")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			page := string(b)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET / = %d", resp.StatusCode)
			}
			for _, s := range tt.want {
				if !strings.Contains(page, s) {
					t.Errorf("page does not contain %q:\n%s", s, page)
				}
			}
		})
	}
}
