package sfapi_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/botforge/dialogd/auth"
	"github.com/botforge/dialogd/desk/sfapi"
	"github.com/botforge/dialogd/internal/salesforcetest"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sfsim"
)

// newClient starts sfsim and returns a client of its "salesforce" profile.
func newClient(t *testing.T) (*sfapi.Client, *salesforcetest.Org) {
	t.Helper()
	org := salesforcetest.Start(t, "sfapi")
	return &sfapi.Client{Auth: org.Auth, Profile: salesforcetest.Profile}, org
}

func seedContacts(t *testing.T, org *salesforcetest.Org, n int) {
	t.Helper()
	recs := org.Records(t)
	for i := range n {
		_, err := recs.Create(context.Background(), "Contact", map[string]any{
			"LastName": fmt.Sprintf("Paging%04d", i), "Email": fmt.Sprintf("p%d@example.com", i),
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestQueryFollowsNextRecordsURL(t *testing.T) {
	c, org := newClient(t)
	seedContacts(t, org, 450)
	c.BatchSize = 200
	seen := map[string]bool{}
	err := c.Query(context.Background(), "SELECT Id, LastName FROM Contact WHERE LastName LIKE 'Paging%'", func(rec map[string]any) error {
		seen[rec["Id"].(string)] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(seen), 450; got != want {
		t.Errorf("records seen: got %d, want %d (three pages of at most 200)", got, want)
	}
}

func TestQueryStopsOnErrStop(t *testing.T) {
	c, org := newClient(t)
	seedContacts(t, org, 250)
	c.BatchSize = 200
	n := 0
	err := c.Query(context.Background(), "SELECT Id FROM Contact WHERE LastName LIKE 'Paging%'", func(map[string]any) error {
		n++
		if n == 10 {
			return sfapi.ErrStop
		}
		return nil
	})
	if err != nil || n != 10 {
		t.Errorf("got n=%d err=%v, want 10 records and nil", n, err)
	}
}

func TestExpiredTokenIsRefreshedOnce(t *testing.T) {
	c, org := newClient(t)
	ctx := context.Background()
	id, err := c.Create(ctx, "Contact", map[string]any{"LastName": "Before", "Email": "before@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	org.Sim.ExpireAccessTokens()
	if err := c.Update(ctx, "Contact", id, map[string]any{"LastName": "After"}); err != nil {
		t.Fatalf("update after the session expired: %v", err)
	}
	var got struct{ LastName string }
	if err := c.Get(ctx, "Contact", id, []string{"LastName"}, &got); err != nil {
		t.Fatal(err)
	}
	if got.LastName != "After" {
		t.Errorf("LastName: got %q, want After", got.LastName)
	}
}

func TestRefusedRefreshIsReturned(t *testing.T) {
	c, org := newClient(t)
	ctx := context.Background()
	if _, err := c.Create(ctx, "Contact", map[string]any{"LastName": "X"}); err != nil {
		t.Fatal(err)
	}
	org.Sim.ExpireAccessTokens()
	salesforcetest.BreakPassword(t)
	err := c.Query(ctx, "SELECT Id FROM Contact", func(map[string]any) error { return nil })
	if !errors.Is(err, auth.ErrAdminReconnect) {
		t.Errorf("got %v, want an error wrapping auth.ErrAdminReconnect", err)
	}
}

func TestSalesforceErrors(t *testing.T) {
	c, org := newClient(t)
	ctx := context.Background()
	tests := []struct {
		name      string
		fault     sfsim.FaultKind
		call      func() error
		status    int
		code      string
		temporary bool
	}{
		{name: "malformed query", call: func() error {
			return c.Query(ctx, "SELECT Nope FROM Contact", func(map[string]any) error { return nil })
		}, status: 400, code: "INVALID_FIELD"},
		{name: "unknown record", call: func() error {
			return c.Get(ctx, "Contact", "003000000000000AAA", nil, &map[string]any{})
		}, status: 404, code: "NOT_FOUND"},
		{name: "salesforce unavailable", fault: sfsim.FaultUnavailable, call: func() error {
			return c.Query(ctx, "SELECT Id FROM Contact", func(map[string]any) error { return nil })
		}, status: 503, code: "SERVER_UNAVAILABLE", temporary: true},
		{name: "request limit", fault: sfsim.FaultRequestLimit, call: func() error {
			_, err := c.Create(ctx, "Contact", map[string]any{"LastName": "Y"})
			return err
		}, status: 403, code: "REQUEST_LIMIT_EXCEEDED", temporary: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.fault != "" {
				if err := org.Sim.FailNext(1, tt.fault, ""); err != nil {
					t.Fatal(err)
				}
			}
			err := tt.call()
			var se *sfapi.Error
			if !errors.As(err, &se) {
				t.Fatalf("got %v (%T), want *sfapi.Error", err, err)
			}
			if se.Status != tt.status || se.Code != tt.code || se.Message == "" {
				t.Errorf("got status %d code %q message %q, want %d %q and a message", se.Status, se.Code, se.Message, tt.status, tt.code)
			}
			if got := sfapi.Temporary(err); got != tt.temporary {
				t.Errorf("Temporary: got %v, want %v", got, tt.temporary)
			}
		})
	}
}

// downOrg is the org's auth with an instance URL nobody listens on.
type downOrg struct {
	*auth.Manager
	url string
}

func (d downOrg) BaseURL(context.Context, *nodes.Turn, string) (string, error) { return d.url, nil }

// Apply sends a made-up token: the profile's own would be refused for
// another host, and this call never reaches anyone.
func (d downOrg) Apply(_ context.Context, _ *nodes.Turn, _ string, req *http.Request) error {
	req.Header.Set("Authorization", "Bearer unused")
	return nil
}

func TestConnectionRefusedIsTemporary(t *testing.T) {
	_, org := newClient(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := &sfapi.Client{Auth: downOrg{org.Auth, "http://" + addr}, Profile: salesforcetest.Profile}
	err = c.Query(context.Background(), "SELECT Id FROM Contact WHERE Email = 'secret@example.com'", func(map[string]any) error { return nil })
	if err == nil || !sfapi.Temporary(err) {
		t.Fatalf("got %v, want a temporary error", err)
	}
	var se *sfapi.Error
	if errors.As(err, &se) {
		t.Errorf("a refused connection is not a Salesforce answer: %v", err)
	}
	if s := err.Error(); strings.Contains(s, "secret@example.com") {
		t.Errorf("error repeats the query string: %s", s)
	}
}

func TestApexCallsApexREST(t *testing.T) {
	c, _ := newClient(t)
	err := c.Apex(context.Background(), "POST", "/nosuchclass", map[string]string{"a": "b"}, nil)
	var se *sfapi.Error
	if !errors.As(err, &se) || se.Status != 404 {
		t.Errorf("got %v, want a 404 *sfapi.Error for an Apex class the org lacks", err)
	}
}

func TestDeleteAndQueryAll(t *testing.T) {
	c, _ := newClient(t)
	ctx := context.Background()
	id, err := c.Create(ctx, "Contact", map[string]any{"LastName": "Gone"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, "Contact", id); err != nil {
		t.Fatal(err)
	}
	count := func(query func(context.Context, string, func(map[string]any) error) error) int {
		n := 0
		if err := query(ctx, "SELECT Id FROM Contact WHERE LastName = 'Gone'", func(map[string]any) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got := count(c.Query); got != 0 {
		t.Errorf("Query after Delete: got %d records, want 0", got)
	}
	if got := count(c.QueryAll); got != 1 {
		t.Errorf("QueryAll after Delete: got %d records, want 1 (the recycle bin)", got)
	}
}
