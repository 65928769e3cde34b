package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestSFDemoDeskAsMakeRunStartsIt: botd started as `make run` starts it
// (no Redis, no Salesforce, no variable but ADDR and ADMIN_ADDR) serves
// the Salesforce demo bot's agent desk: each demo agent signs in with the
// demo password and nobody with another; the emulated org answers Apex
// REST (the presence class the sync writes through) on botd's address;
// and the bot's customer directory has imported the org's Contacts.
func TestSFDemoDeskAsMakeRunStartsIt(t *testing.T) {
	for _, v := range []string{sfDemoLoginEnv, sfDemoSecretEnv, sfDemoIntegrationPassEnv, sfDemoIntegrationTokenEnv} {
		t.Setenv(v, "") // restored when the test ends; botd sets them
	}
	addr, admin := freeAddr(t), freeAddr(t)
	startUserBotd(t, map[string]string{"ADDR": addr, "ADMIN_ADDR": admin})
	base := "http://" + addr

	logins := []struct {
		agent, password string
		want            int
	}{
		{"alice", "demo", http.StatusOK},
		{"bob", "demo", http.StatusOK},
		{"carol", "demo", http.StatusOK},
		{"alice", "demo-Passw0rd", http.StatusUnauthorized},
		{"dana", "demo", http.StatusUnauthorized},
	}
	for _, l := range logins {
		body := `{"bot":"` + sfDemoBotName + `","agent":"` + l.agent + `","password":"` + l.password + `"}`
		resp, err := http.Post(base+"/desk/api/login", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != l.want {
			t.Errorf("desk sign-in %s/%s: %d; want %d", l.agent, l.password, resp.StatusCode, l.want)
		}
	}

	// Served by the org (it asks for a session), not botd's 404.
	resp, err := http.Post(base+"/services/apexrest/dialogd/presence", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("POST /services/apexrest/dialogd/presence without a session: %d; want 401 from the org", resp.StatusCode)
	}

	// sfsim's demo org has 2 Contacts, sfdemo_org.yaml adds 2.
	adminAddrs.Store(addr, admin)
	waitMetric(t, addr, `dialogd_directory_records{bot="salesforce_demo"}`, "4")
}
