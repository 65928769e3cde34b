package directory

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/botforge/dialogd/desk/sfapi"
	"github.com/botforge/dialogd/nodes"
)

// Defaults of Options.
const (
	DefaultLockTTL    = 10 * time.Minute
	DefaultRetryAfter = 5 * time.Minute
	DefaultMaxLookup  = 20
)

// Options are a Directory's optional parts.
type Options struct {
	Store Store // nil: NewMemoryStore()
	// Registerer receives the metrics (wrap it with the bot's label);
	// nil registers none.
	Registerer prometheus.Registerer
	Logger     *slog.Logger     // nil: discard
	Now        func() time.Time // nil: time.Now
	// LockTTL bounds how long one sync holds the cross-instance lock
	// (DefaultLockTTL).
	LockTTL time.Duration
	// RetryAfter is the wait after a failed sync (DefaultRetryAfter, at
	// most Every).
	RetryAfter time.Duration
}

// Directory is a bot's customer directory: it imports one Salesforce
// object into its Store and answers lookups (it implements
// nodes.Directory).
type Directory struct {
	bot   string
	cfg   Config
	sf    *sfapi.Client
	store Store
	opts  Options
	log   *slog.Logger

	records prometheus.Gauge
	syncs   *prometheus.CounterVec
}

// ErrBusy is returned by Sync when another instance is syncing the
// directory.
var ErrBusy = errors.New("directory: another instance is syncing")

// New returns bot's directory configured by cfg, importing through sf.
func New(bot string, cfg *Config, sf *sfapi.Client, opts Options) (*Directory, error) {
	if cfg == nil || sf == nil {
		return nil, errors.New("directory: a config and a salesforce client are required")
	}
	if opts.Store == nil {
		opts.Store = NewMemoryStore()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.LockTTL <= 0 {
		opts.LockTTL = DefaultLockTTL
	}
	if opts.RetryAfter <= 0 || opts.RetryAfter > cfg.Every {
		opts.RetryAfter = min(DefaultRetryAfter, cfg.Every)
	}
	d := &Directory{bot: bot, cfg: *cfg, sf: sf, store: opts.Store, opts: opts, log: opts.Logger}
	d.records = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "dialogd_directory_records", Help: "Customer records in the directory after its last sync.",
	})
	d.syncs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "dialogd_directory_sync_total", Help: "Directory syncs by result: ok, error, busy (another instance was syncing).",
	}, []string{"result"})
	if opts.Registerer != nil {
		for _, c := range []prometheus.Collector{d.records, d.syncs} {
			if err := opts.Registerer.Register(c); err != nil {
				return nil, fmt.Errorf("directory: register metrics: %w", err)
			}
		}
	}
	return d, nil
}

// Config returns the directory's configuration, defaults applied.
func (d *Directory) Config() Config { return d.cfg }

// Lookup implements nodes.Directory: by is email, phone or name; value is
// normalised the way the records were indexed. limit <= 0 means
// DefaultMaxLookup.
func (d *Directory) Lookup(ctx context.Context, by, value string, limit int) ([]nodes.DirectoryRecord, error) {
	var keys []string
	switch by {
	case nodes.DirectoryByEmail:
		keys = []string{NormalizeEmail(value)}
	case nodes.DirectoryByPhone:
		keys = PhoneKeys([]string{value}, d.cfg.Region)
	case nodes.DirectoryByName:
		keys = []string{NormalizeName(value)}
	default:
		return nil, fmt.Errorf("directory: unknown lookup key %q (want email, phone or name)", by)
	}
	if limit <= 0 {
		limit = DefaultMaxLookup
	}
	var out []nodes.DirectoryRecord
	seen := map[string]bool{}
	for _, key := range keys {
		if key == "" || len(out) >= limit {
			continue
		}
		recs, err := d.store.Find(ctx, by, key, limit)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			if !seen[r.ID] && len(out) < limit {
				seen[r.ID] = true
				out = append(out, r.public())
			}
		}
	}
	return out, nil
}

// Status is what the directory says about its syncs.
type Status struct {
	Bot       string    `json:"bot"`
	Object    string    `json:"object"`
	Records   int       `json:"records"`
	Runs      int       `json:"runs"`
	LastRun   time.Time `json:"last_run,omitzero"`
	LastOK    time.Time `json:"last_ok,omitzero"`
	LastError string    `json:"last_error,omitempty"`
	NextRun   time.Time `json:"next_run"`
	Imported  int       `json:"imported"`
	Removed   int       `json:"removed"`
	Skipped   int       `json:"skipped"`
	Capped    bool      `json:"capped,omitempty"`
	Mark      time.Time `json:"mark,omitzero"`
}

// Status reads the sync state and record count from the store (so it is
// the same on every instance sharing it).
func (d *Directory) Status(ctx context.Context) (Status, error) {
	st, err := d.store.State(ctx)
	if err != nil {
		return Status{}, err
	}
	n, err := d.store.Count(ctx)
	if err != nil {
		return Status{}, err
	}
	return Status{
		Bot: d.bot, Object: d.cfg.Object, Records: n, Runs: st.Runs, LastRun: st.LastRun, LastOK: st.LastOK,
		LastError: st.LastError, NextRun: d.nextRun(st), Imported: st.Imported, Removed: st.Removed,
		Skipped: st.Skipped, Capped: st.Capped, Mark: st.MarkTime,
	}, nil
}

// nextRun is when the next sync is due: Every after the last run, or
// RetryAfter after a failed one; now before the first.
func (d *Directory) nextRun(st SyncState) time.Time {
	switch {
	case st.LastRun.IsZero():
		return d.opts.Now()
	case st.LastError != "":
		return st.LastRun.Add(d.opts.RetryAfter)
	}
	return st.LastRun.Add(d.cfg.Every)
}
