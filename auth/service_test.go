package auth

import (
	"context"
	"net/http"
	"testing"

	"github.com/botforge/dialogd/nodes"
)

// TestServiceNodeCreatesLead runs the real service node with a relative
// URL through a per_user profile: park for authorization, sign in, run
// again (a Lead is created at sfsim's instance_url), then survive token
// expiry through Refresh without the user noticing.
func TestServiceNodeCreatesLead(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	m := h.newManager("acme", map[string]*Profile{"salesforce": h.perUser()})
	src := "method: POST\nurl: /services/data/v62.0/sobjects/Lead\nauth: salesforce\nbody: {LastName: Lovelace, Company: Analytical Engines}\non_error: broken"
	var s nodes.Service
	config, err := nodes.ParseYAML("node.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	host := nodes.Host{Bot: "acme", NodeID: "create_lead", AuthProfiles: map[string]bool{"salesforce": true}}
	if err := nodes.ConfigureNode(&s, nodes.NodeSource{File: "node.yaml", Config: config}, host); err != nil {
		t.Fatal(err)
	}
	tu := turn("acme", "sess-9", "visitor-9", "create_lead")
	tu.Memory = &nodes.Memory{}
	tu.Env = &nodes.Env{HTTP: h.sf.Client(), Auth: m, Log: h.log}

	out, err := s.Run(context.Background(), tu)
	if err != nil || out.Status != nodes.StatusPark || len(tu.Replies()) != 1 || tu.Replies()[0].Type != nodes.ReplyAuthorize {
		t.Fatalf("first Run = %+v, %v, %+v; want Park with an authorize reply", out, err, tu.Replies())
	}
	h.signIn(tu.Replies()[0].URL)
	if e := h.event(t); e.session != "sess-9" {
		t.Fatalf("resume event %+v; want session sess-9", e)
	}
	for i, expire := range []bool{false, true} {
		if expire {
			h.sim.ExpireAccessTokens()
		}
		tu.ResetReplies()
		out, err = s.Run(context.Background(), tu)
		if err != nil || out != nodes.Next() {
			t.Fatalf("run %d = %+v, %v; want Next", i, out, err)
		}
		st, _ := tu.Memory.Lookup(nodes.SplitPath("create_lead.response.status"), 0)
		id, _ := tu.Memory.Lookup(nodes.SplitPath("create_lead.response.body.id"), 0)
		if st != float64(http.StatusCreated) || id == nil {
			t.Errorf("run %d: status %v id %v; want 201 and a Lead id", i, st, id)
		}
	}
	res, err := h.sim.RunQuery("SELECT Id FROM Lead WHERE LastName = 'Lovelace'", false)
	if err != nil || res.TotalSize != 2 {
		t.Errorf("Leads named Lovelace at sfsim: %v, %v; want 2", res, err)
	}
}
