package directory_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/botforge/dialogd/desk/directory"
	"github.com/botforge/dialogd/desk/sfapi"
	"github.com/botforge/dialogd/internal/metrictest"
	"github.com/botforge/dialogd/internal/salesforcetest"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions/redistest"
	"github.com/botforge/dialogd/sfsim"
)

// stores are the Store implementations every sync test runs against.
var stores = []struct {
	name string
	new  func(t testing.TB) directory.Store
}{
	{"memory", func(testing.TB) directory.Store { return directory.NewMemoryStore() }},
	{"redis", func(t testing.TB) directory.Store {
		return directory.NewRedisStore(redistest.Start(t).Client(t), "acme")
	}},
}

// orgFixture is sfsim seeded with 2,500 Contacts:
//   - named[i] (i = 0…21): 100 named Contacts each, modified (i+1)*10 days
//     ago, so batch 0 is the newest;
//   - nameless: 100 Contacts modified 5 days ago whose LastName is the
//     Web-to-Lead placeholder;
//   - old: 200 named Contacts modified 400 days ago.
type orgFixture struct {
	org      *salesforcetest.Org
	sf       *sfapi.Client
	named    [][]string
	nameless []string
	old      []string
}

func seedOrg(t testing.TB) *orgFixture {
	t.Helper()
	org := salesforcetest.Start(t, "acme")
	f := &orgFixture{org: org, sf: &sfapi.Client{Auth: org.Auth, Profile: salesforcetest.Profile}}
	now := time.Now()
	ageDemoContacts(t, f, now.AddDate(-2, 0, 0))
	acc, err := org.Sim.SeedRecords("Account", []map[string]any{{"Name": "Acme Trading"}}, now.AddDate(0, 0, -30))
	if err != nil {
		t.Fatal(err)
	}
	batch := func(tag string, n int, last func(i int) string, at time.Time) []string {
		recs := make([]map[string]any, n)
		for i := range recs {
			recs[i] = map[string]any{"FirstName": "F" + tag, "LastName": last(i), "AccountId": acc[0],
				"Email": fmt.Sprintf("%s.%d@example.com", tag, i), "Phone": fmt.Sprintf("+81 3-%04d-%04d", len(tag), i),
				"MobilePhone": fmt.Sprintf("090-%s-%04d", tag, i)}
		}
		ids, err := org.Sim.SeedRecords("Contact", recs, at)
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	for b := range 22 {
		tag := fmt.Sprintf("n%02d", b)
		f.named = append(f.named, batch(tag, 100, func(i int) string { return fmt.Sprintf("Named%02d-%03d", b, i) }, now.AddDate(0, 0, -10*(b+1))))
	}
	f.nameless = batch("x", 100, func(int) string { return sfsim.NamePlaceholder }, now.AddDate(0, 0, -5))
	f.old = batch("old", 200, func(i int) string { return fmt.Sprintf("Old%03d", i) }, now.AddDate(0, 0, -400))
	return f
}

// ageDemoContacts moves the demo org's own Contacts to at, out of the
// first run's year, so the fixture's counts are exact.
func ageDemoContacts(t testing.TB, f *orgFixture, at time.Time) {
	t.Helper()
	var ids []string
	err := f.sf.Query(context.Background(), "SELECT Id FROM Contact", func(rec map[string]any) error {
		ids = append(ids, rec["Id"].(string))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.org.Sim.TouchRecords("Contact", at, ids...); err != nil {
		t.Fatal(err)
	}
}

func newDirectory(t testing.TB, f *orgFixture, store directory.Store, reg prometheus.Registerer, maxPerRun int) *directory.Directory {
	t.Helper()
	cfg := &directory.Config{Salesforce: salesforcetest.Profile, Object: directory.ObjectContact,
		Every: 24 * time.Hour, MaxPerRun: maxPerRun, FirstRunSince: 365 * 24 * time.Hour, Region: "JP"}
	d, err := directory.New("acme", cfg, f.sf, directory.Options{Store: store, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// has reports whether the directory holds the Contact with email.
func has(t *testing.T, d *directory.Directory, email string) bool {
	t.Helper()
	recs, err := d.Lookup(context.Background(), nodes.DirectoryByEmail, email, 5)
	if err != nil {
		t.Fatal(err)
	}
	return len(recs) > 0
}

func TestFirstRunThenChanges(t *testing.T) {
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			f := seedOrg(t)
			reg := prometheus.NewRegistry()
			d := newDirectory(t, f, s.new(t), reg, 2000)
			ctx := context.Background()
			st, err := d.Sync(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if st.Imported != 2000 || st.Skipped != 100 || !st.Capped {
				t.Errorf("first run: got imported %d skipped %d capped %v, want 2000, 100, true", st.Imported, st.Skipped, st.Capped)
			}
			checkFirstRun(t, d)
			changes := changeOrg(t, f)
			st, err = d.Sync(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if st.Imported != changes.imported || st.Removed != changes.removed || st.Capped {
				t.Errorf("second run: got imported %d removed %d capped %v, want %d, %d, false", st.Imported, st.Removed, st.Capped, changes.imported, changes.removed)
			}
			checkChanges(t, d)
			st, err = d.Sync(ctx)
			if err != nil || st.Imported != 0 || st.Removed != 0 {
				t.Errorf("third run with no changes: got imported %d removed %d err %v, want 0, 0, nil", st.Imported, st.Removed, err)
			}
			status, err := d.Status(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if status.Records != 1999 || status.Runs != 3 || status.LastError != "" || !status.NextRun.Equal(status.LastRun.Add(24*time.Hour)) {
				t.Errorf("status: got %+v, want 1999 records, 3 runs, no error, next run a day after the last", status)
			}
			if got := metrictest.Value(t, reg, "dialogd_directory_records", nil); got != 1999 {
				t.Errorf("dialogd_directory_records: got %v, want 1999", got)
			}
			if got := metrictest.Value(t, reg, "dialogd_directory_sync_total", map[string]string{"result": "ok"}); got != 3 {
				t.Errorf(`dialogd_directory_sync_total{result="ok"}: got %v, want 3`, got)
			}
		})
	}
}

// checkFirstRun wants the 20 newest named batches, nothing nameless,
// older than a year, or beyond the cap.
func checkFirstRun(t *testing.T, d *directory.Directory) {
	t.Helper()
	for b := range 22 {
		for _, i := range []int{0, 57, 99} {
			email := fmt.Sprintf("n%02d.%d@example.com", b, i)
			if got, want := has(t, d, email), b < 20; got != want {
				t.Errorf("after the first run, %s (modified %d days ago) in the directory: got %v, want %v", email, 10*(b+1), got, want)
			}
		}
	}
	for _, email := range []string{"x.0@example.com", "x.99@example.com", "old.0@example.com", "old.199@example.com"} {
		if has(t, d, email) {
			t.Errorf("after the first run, %s is in the directory; want it left out (no name, or older than a year)", email)
		}
	}
	recs, err := d.Lookup(context.Background(), nodes.DirectoryByPhone, "09 0-n03-0007", 5)
	if err != nil {
		t.Fatal(err)
	}
	want := nodes.DirectoryRecord{Object: "Contact", Name: "Fn03 Named03-007", Company: "Acme Trading",
		Email: "n03.7@example.com", Phones: []string{"+81 3-0003-0007", "090-n03-0007"}}
	if len(recs) != 1 {
		t.Fatalf("lookup by mobile phone: got %d records, want 1", len(recs))
	}
	got := recs[0]
	if got.AccountID == "" || got.ID == "" {
		t.Errorf("lookup by mobile phone: got %+v, want its Id and AccountId", got)
	}
	if got.Name != want.Name || got.Company != want.Company || got.Email != want.Email || !slices.Equal(got.Phones, want.Phones) || got.Object != want.Object {
		t.Errorf("lookup by mobile phone: got %+v, want %+v", got, want)
	}
}

type orgChanges struct{ imported, removed int }

// changeOrg edits the org after the first run: 5 imported Contacts get a
// new e-mail, 3 lose their name, 1 is deleted, 2 not imported (beyond
// the cap) are touched, and 1 is created.
func changeOrg(t *testing.T, f *orgFixture) orgChanges {
	t.Helper()
	ctx := context.Background()
	for i := range 5 {
		if err := f.sf.Update(ctx, "Contact", f.named[1][i], map[string]any{"Email": fmt.Sprintf("moved.%d@example.com", i)}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		if err := f.sf.Update(ctx, "Contact", f.named[2][i], map[string]any{"LastName": sfsim.NamePlaceholder}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.sf.Delete(ctx, "Contact", f.named[3][0]); err != nil {
		t.Fatal(err)
	}
	if err := f.org.Sim.TouchRecords("Contact", time.Now(), f.named[21][0], f.named[21][1]); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sf.Create(ctx, "Contact", map[string]any{"FirstName": "Hana", "LastName": "Sato", "Email": "hana@example.com", "Phone": "03-5555-1234"}); err != nil {
		t.Fatal(err)
	}
	return orgChanges{imported: 5 + 2 + 1, removed: 3 + 1}
}

func checkChanges(t *testing.T, d *directory.Directory) {
	t.Helper()
	tests := []struct {
		email string
		want  bool
	}{
		{"moved.0@example.com", true}, {"moved.4@example.com", true},
		{"n01.0@example.com", false},                               // its old address
		{"n02.0@example.com", false}, {"n02.2@example.com", false}, // lost their name
		{"n02.3@example.com", true},
		{"n03.0@example.com", false}, {"n03.1@example.com", true}, // deleted in Salesforce
		{"n21.0@example.com", true}, {"n21.1@example.com", true}, {"n21.2@example.com", false},
		{"hana@example.com", true},
	}
	for _, tt := range tests {
		if got := has(t, d, tt.email); got != tt.want {
			t.Errorf("after the second run, %s in the directory: got %v, want %v", tt.email, got, tt.want)
		}
	}
	for _, q := range []struct{ by, value string }{
		{nodes.DirectoryByName, "sato  HANA"},       // the other order
		{nodes.DirectoryByPhone, "+81 3 5555 1234"}, // stored without the country code, region JP
		{nodes.DirectoryByPhone, "0355551234"},      // as stored
	} {
		recs, err := d.Lookup(context.Background(), q.by, q.value, 5)
		if err != nil || len(recs) != 1 || recs[0].Email != "hana@example.com" {
			t.Errorf("lookup by %s %q: got %+v, %v; want hana@example.com", q.by, q.value, recs, err)
		}
	}
}
