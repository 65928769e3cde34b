package templates

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/botforge/dialogd/desk/directory"
	"github.com/botforge/dialogd/desk/sfapi"
	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/internal/salesforcetest"
	"github.com/botforge/dialogd/nodes"
)

// lateDirectory hands the runtime a directory that is built after it,
// from the bot's own emulated org.
type lateDirectory struct{ d *directory.Directory }

func (l *lateDirectory) Lookup(ctx context.Context, by, value string, limit int) ([]nodes.DirectoryRecord, error) {
	return l.d.Lookup(ctx, by, value, limit)
}

// newDirectoryBot is the identify bot with a Contact directory imported
// from its org (Jane Doe and John Smith of the demo org).
func newDirectoryBot(t *testing.T) *identifyBot {
	t.Helper()
	late := &lateDirectory{}
	b := newIdentifyBotWith(t, dialog.Options{Directory: late})
	cfg := &directory.Config{Salesforce: salesforcetest.Profile, Object: directory.ObjectContact,
		Every: 24 * time.Hour, MaxPerRun: 2000, FirstRunSince: 8760 * time.Hour, Region: "US"}
	d, err := directory.New("identify", cfg, &sfapi.Client{Auth: b.org.Auth, Profile: salesforcetest.Profile}, directory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st, err := d.Sync(context.Background()); err != nil || st.Imported == 0 {
		t.Fatalf("sync: %+v, %v", st, err)
	}
	late.d = d
	b.org.Sim.ResetRequests()
	return b
}

// customerQueries are the Salesforce requests since the last reset that
// looked for a Contact or a Lead (a query or a search).
func customerQueries(b *identifyBot) []string {
	var out []string
	for _, r := range b.org.Sim.Requests() {
		q, _ := url.ParseQuery(r.Query)
		soql := q.Get("q")
		if strings.Contains(r.Path, "search") || strings.Contains(soql, "FROM Contact") || strings.Contains(soql, "FROM Lead") {
			out = append(out, r.Path+" "+soql)
		}
	}
	return out
}

// TestIdentifyFindsTheDirectoryFirst: a customer in the directory, by
// e-mail or by a phone number written another way, is greeted (and their
// open cases listed) without a Contact or Lead query to Salesforce.
func TestIdentifyFindsTheDirectoryFirst(t *testing.T) {
	b := newDirectoryBot(t)
	b.say("s1", "identify me", "", "e-mail address or phone number")
	b.say("s1", "Jane.Doe@acme.example", "", "Hello Jane Doe")
	b.say("s1", "No, thanks", "identify_done", "How else can I help you?")
	b.say("s2", "identify me", "", "e-mail address or phone number")
	b.say("s2", "(415) 555-0101", "", "Widget arrived broken") // her open case: the Contact id came from the directory
	if q := customerQueries(b); len(q) != 0 {
		t.Errorf("customers found in the directory, yet Salesforce was asked: %q", q)
	}
}

// TestIdentifyFallsBackToSalesforce: a Contact created after the last
// sync, and a Lead (the directory holds Contacts), are found in
// Salesforce.
func TestIdentifyFallsBackToSalesforce(t *testing.T) {
	b := newDirectoryBot(t)
	if _, err := b.org.Records(t).Create(context.Background(), "Contact",
		map[string]any{"FirstName": "Nia", "LastName": "New", "Email": "nia@new.example"}); err != nil {
		t.Fatal(err)
	}
	b.org.Sim.ResetRequests()
	b.say("s1", "identify me", "", "e-mail address or phone number")
	b.say("s1", "nia@new.example", "", "Hello Nia New")
	if q := customerQueries(b); len(q) == 0 {
		t.Error("a Contact missing from the directory was found without asking Salesforce?")
	}
	b.say("s2", "identify me", "", "e-mail address or phone number")
	b.say("s2", "lena@initech.example", "", "Hello Lena Lead")
}
