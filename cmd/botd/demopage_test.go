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

// TestSalesforceDemoPages: `make run` (no -bot) serves, beside the demo
// bot's page at "/", the Salesforce demo bot's page with the emulated
// org's demo-only sign-in, and the org's OAuth and data paths (not its
// control API); -demo-salesforce off and -bot serve neither.
func TestSalesforceDemoPages(t *testing.T) {
	type check struct {
		path, want string
		status     int
	}
	tests := []struct {
		name   string
		args   []string
		checks []check
	}{
		{"embedded bots", nil, []check{
			{"/", `<a href="/salesforce">Salesforce, the whole catalogue</a>`, 200},
			{"/", "Try <em>Book a demo</em> or <em>Create a lead</em> in the chat window.", 200},
			{"/", `To try Salesforce, open <a href="/salesforce">Salesforce, the whole catalogue</a>`, 200},
			{"/salesforce", `<script src="/widget.js" data-title="Salesforce demo" data-bot="salesforce_demo" data-open="true" async>`, 200},
			{"/salesforce", "<h1>Salesforce demo</h1>", 200},
			{"/salesforce", `<code id="demo-username">demo@dialogd.example</code>`, 200},
			{"/salesforce", `<code id="demo-password">demo-Passw0rd</code>`, 200},
			{"/salesforce", "<strong>demo-only</strong>", 200},
			{"/salesforce", "all 27 tasks", 200},
			{"/services/data", `"version":"60.0"`, 200},
			{"/services/oauth2/authorize?response_type=code&client_id=3MVG9dialogdDemoConsumerKey.sfsim&redirect_uri=http://ADDR/oauth/callback", `id="username"`, 200},
			{"/__sim__/requests", "", 404},
			{"/lightning/r/Lead/00Q000000000000AAA/view", "no such record", 404},
			{"/lightning/r/User/005000000000000AAA/view", "", 404},
			{"/lightning/r/Lead/x'/view", "", 404},
		}},
		{"-demo-salesforce off", []string{"-demo-salesforce", "off"}, []check{
			{"/", "<h1>demo</h1>", 200},
			{"/lightning/r/Lead/00Q000000000000AAA/view", "", 404},
			{"/salesforce", "", 404},
			{"/services/data", "", 404},
		}},
		{"-bot", []string{"-bot", "../../examples/salesforce"}, []check{
			{"/", "<h1>salesforce</h1>", 200},
			{"/salesforce", "", 404},
			{"/services/data", "", 404},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := startBotd(t, nil, tt.args...)
			for _, c := range tt.checks {
				path := strings.ReplaceAll(c.path, "ADDR", in.addr)
				resp, err := http.Get("http://" + in.addr + path)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != c.status || !strings.Contains(string(b), c.want) {
					t.Errorf("GET %s = %d, want %d with %q; body:\n%s", path, resp.StatusCode, c.status, c.want, b)
				}
			}
		})
	}
}

// TestSalesforceDemoFlag: -demo-salesforce takes on, off or auto; auto is
// on only for the embedded bots, and on with -bot is an error.
func TestSalesforceDemoFlag(t *testing.T) {
	tests := []struct {
		args    []string
		env     string
		want    bool
		wantErr string
	}{
		{nil, "", true, ""},
		{[]string{"-demo-salesforce", "off"}, "", false, ""},
		{nil, "off", false, ""},
		{[]string{"-demo-salesforce", "on"}, "", true, ""},
		{[]string{"-bot", "x"}, "", false, ""},
		{[]string{"-bot", "x"}, "on", false, "-demo-salesforce on: the Salesforce demo is served only with the embedded bots, not with -bot"},
		{[]string{"-demo-salesforce", "maybe"}, "", false, `-demo-salesforce: want on, off or auto, got "maybe"`},
	}
	for _, tt := range tests {
		getenv := func(k string) string {
			if k == "DEMO_SALESFORCE" {
				return tt.env
			}
			return ""
		}
		cfg, err := parseConfig(tt.args, getenv, io.Discard)
		switch {
		case tt.wantErr != "":
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("%v DEMO_SALESFORCE=%q: err = %v; want %q", tt.args, tt.env, err, tt.wantErr)
			}
		case err != nil:
			t.Errorf("%v DEMO_SALESFORCE=%q: %v", tt.args, tt.env, err)
		case cfg.DemoSalesforce != tt.want:
			t.Errorf("%v DEMO_SALESFORCE=%q: DemoSalesforce = %v; want %v", tt.args, tt.env, cfg.DemoSalesforce, tt.want)
		}
	}
}

// TestSalesforceDemoLogin: the emulated org is on botd's loopback address,
// the public URL's own when that is loopback; a wildcard -addr without a
// public URL gets the loopback address as its public URL.
func TestSalesforceDemoLogin(t *testing.T) {
	tests := []struct {
		addr, publicURL     string
		wantLogin, wantPubl string
	}{
		{"localhost:8080", "http://localhost:8080", "http://localhost:8080", "http://localhost:8080"},
		{"127.0.0.1:9090", "http://127.0.0.1:9090", "http://127.0.0.1:9090", "http://127.0.0.1:9090"},
		{":9090", "", "http://127.0.0.1:9090", "http://127.0.0.1:9090"},
		{"[::]:9090", "", "http://[::1]:9090", "http://[::1]:9090"},
		{"0.0.0.0:9090", "https://bot.example.com", "http://127.0.0.1:9090", "https://bot.example.com"},
	}
	for _, tt := range tests {
		cfg := &config{Addr: tt.addr, PublicURL: tt.publicURL}
		login, err := sfDemoLogin(cfg)
		if err != nil || login != tt.wantLogin || cfg.PublicURL != tt.wantPubl {
			t.Errorf("-addr %s -public-url %q: login %q, public URL %q, %v; want %q, %q", tt.addr, tt.publicURL, login, cfg.PublicURL, err, tt.wantLogin, tt.wantPubl)
		}
	}
}
