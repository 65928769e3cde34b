package directory_test

import (
	"context"
	"errors"
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

// TestCappedRunsContinue: with max_per_run 500, 1,200 Contacts changed
// at one instant are imported over three runs, none twice, none lost.
func TestCappedRunsContinue(t *testing.T) {
	f := seedOrg(t)
	d := newDirectory(t, f, directory.NewMemoryStore(), nil, 500)
	ctx := context.Background()
	if st, err := d.Sync(ctx); err != nil || st.Imported != 500 {
		t.Fatalf("first run: got %d imported, %v; want 500", st.Imported, err)
	}
	var touched []string
	for b := 10; b < 22; b++ {
		touched = append(touched, f.named[b]...)
	}
	if err := f.org.Sim.TouchRecords("Contact", time.Now(), touched...); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		imported int
		capped   bool
	}{{500, true}, {500, true}, {200, false}, {0, false}}
	for i, w := range want {
		st, err := d.Sync(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Imported != w.imported || st.Capped != w.capped {
			t.Errorf("run %d after the change: got imported %d capped %v, want %d %v", i+2, st.Imported, st.Capped, w.imported, w.capped)
		}
	}
	if status, _ := d.Status(ctx); status.Records != 1700 {
		t.Errorf("records: got %d, want 1700 (500 + 1,200)", status.Records)
	}
}

func TestFailedSyncIsRetriedAndKeepsTheMark(t *testing.T) {
	f := seedOrg(t)
	reg := prometheus.NewRegistry()
	d := newDirectory(t, f, directory.NewMemoryStore(), reg, 2000)
	ctx := context.Background()
	if _, err := d.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	before, _ := d.Status(ctx)
	if err := f.org.Sim.FailNext(1, sfsim.FaultUnavailable, "/query"); err != nil {
		t.Fatal(err)
	}
	_, err := d.Sync(ctx)
	if !sfapi.Temporary(err) {
		t.Fatalf("got %v, want a temporary error (Salesforce unavailable)", err)
	}
	after, _ := d.Status(ctx)
	if after.LastError == "" || !after.Mark.Equal(before.Mark) || after.Records != before.Records || after.Runs != before.Runs {
		t.Errorf("after a failed run: got %+v, want the error, and mark, records and runs as before (%+v)", after, before)
	}
	if got, want := after.NextRun, after.LastRun.Add(directory.DefaultRetryAfter); !got.Equal(want) {
		t.Errorf("next run after a failure: got %v, want %v (RetryAfter later)", got, want)
	}
	f.org.Sim.ExpireAccessTokens() // and the session timed out meanwhile
	if _, err := d.Sync(ctx); err != nil {
		t.Fatalf("Salesforce back, the session expired: %v", err)
	}
	if st, _ := d.Status(ctx); st.LastError != "" {
		t.Errorf("after a good run the error stays: %q", st.LastError)
	}
	if got := metrictest.Value(t, reg, "dialogd_directory_sync_total", map[string]string{"result": "error"}); got != 1 {
		t.Errorf(`sync_total{result="error"}: got %v, want 1`, got)
	}
}

// TestOneInstanceSyncsAtATime: two directories sharing a Redis store
// (two botd instances) never sync together.
func TestOneInstanceSyncsAtATime(t *testing.T) {
	f := seedOrg(t)
	srv := redistest.Start(t)
	ctx := context.Background()
	regA, regB := prometheus.NewRegistry(), prometheus.NewRegistry()
	a := newDirectory(t, f, directory.NewRedisStore(srv.Client(t), "acme"), regA, 2000)
	b := newDirectory(t, f, directory.NewRedisStore(srv.Client(t), "acme"), regB, 2000)

	unlock, ok, err := directory.NewRedisStore(srv.Client(t), "acme").Lock(ctx, time.Minute)
	if err != nil || !ok {
		t.Fatalf("lock: %v %v", ok, err)
	}
	if _, err := a.Sync(ctx); !errors.Is(err, directory.ErrBusy) {
		t.Errorf("sync while another instance holds the lock: got %v, want ErrBusy", err)
	}
	unlock()

	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 2)
	go func() { done <- a.Run(runCtx) }()
	go func() { done <- b.Run(runCtx) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		st, err := b.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Runs >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no sync within 20s of Run")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	for range 2 {
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v, want context.Canceled", err)
		}
	}
	st, _ := a.Status(ctx)
	oks := metrictest.Value(t, regA, "dialogd_directory_sync_total", map[string]string{"result": "ok"}) + metrictest.Value(t, regB, "dialogd_directory_sync_total", map[string]string{"result": "ok"})
	if st.Runs != 1 || oks != 1 {
		t.Errorf("two instances running: got %d runs in the state and %v ok syncs, want 1 and 1 (the other waits for the shared schedule)", st.Runs, oks)
	}
}

// TestObjectSwitchRebuilds: a directory switched from Contact to Lead
// holds Leads only after its next sync.
func TestObjectSwitchRebuilds(t *testing.T) {
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			org := salesforcetest.Start(t, "acme")
			sf := &sfapi.Client{Auth: org.Auth, Profile: salesforcetest.Profile}
			store := s.new(t)
			ctx := context.Background()
			for _, object := range []string{directory.ObjectContact, directory.ObjectLead} {
				cfg := &directory.Config{Salesforce: salesforcetest.Profile, Object: object, Every: time.Hour, MaxPerRun: 100, FirstRunSince: time.Hour}
				d, err := directory.New("acme", cfg, sf, directory.Options{Store: store})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := d.Sync(ctx); err != nil {
					t.Fatal(err)
				}
				jane, _ := d.Lookup(ctx, nodes.DirectoryByEmail, "jane.doe@acme.example", 1)
				lena, _ := d.Lookup(ctx, nodes.DirectoryByEmail, "lena@initech.example", 1)
				if got, want := [2]int{len(jane), len(lena)}, map[string][2]int{"Contact": {1, 0}, "Lead": {0, 1}}[object]; got != want {
					t.Errorf("%s directory: got Jane (a Contact) %d, Lena (a Lead) %d; want %v", object, got[0], got[1], want)
				}
			}
		})
	}
}
