package directory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/botforge/dialogd/desk/sfapi"
)

// flushEvery is how many records a sync buffers before writing them.
const flushEvery = 500

// Sync runs one sync now: the first run imports what changed within
// first_run_since (newest first), later ones what changed since the
// high-water mark, at most max_per_run records either way. It returns
// ErrBusy when another instance holds the sync lock. The outcome is
// stored in the sync state, errors included.
func (d *Directory) Sync(ctx context.Context) (SyncState, error) {
	unlock, ok, err := d.store.Lock(ctx, d.opts.LockTTL)
	if err != nil {
		d.syncs.WithLabelValues("error").Inc()
		return SyncState{}, err
	}
	if !ok {
		d.syncs.WithLabelValues("busy").Inc()
		return SyncState{}, ErrBusy
	}
	defer unlock()
	prev, err := d.store.State(ctx)
	if err != nil {
		d.syncs.WithLabelValues("error").Inc()
		return SyncState{}, err
	}
	run := &syncRun{d: d, st: prev}
	err = run.do(ctx)
	st := run.result(err)
	if serr := d.store.SaveState(ctx, st); serr != nil && err == nil {
		err = serr
	}
	if n, cerr := d.store.Count(ctx); cerr == nil {
		d.records.Set(float64(n))
	}
	if err != nil {
		d.syncs.WithLabelValues("error").Inc()
		d.log.Warn("directory: sync failed", "bot", d.bot, "object", d.cfg.Object, "err", err)
		return st, err
	}
	d.syncs.WithLabelValues("ok").Inc()
	d.log.Info("directory: synced", "bot", d.bot, "object", d.cfg.Object, "imported", st.Imported,
		"removed", st.Removed, "skipped", st.Skipped, "capped", st.Capped)
	return st, nil
}

// syncRun is one run in progress.
type syncRun struct {
	d        *Directory
	st       SyncState // the state before the run
	first    bool
	buf      []Record
	gone     []string
	deleted  []string // ids in the recycle bin
	imported int
	removed  int
	skipped  int
	seen     int // rows processed toward max_per_run
	capped   bool
	markTime time.Time
	markIDs  []string
	skip     map[string]bool // the previous run's MarkIDs
}

func (r *syncRun) do(ctx context.Context) error {
	cfg := r.d.cfg
	r.first = r.st.MarkTime.IsZero() || r.st.Object != cfg.Object
	r.markTime, r.markIDs = r.st.MarkTime, slices.Clone(r.st.MarkIDs)
	r.skip = make(map[string]bool, len(r.st.MarkIDs))
	for _, id := range r.st.MarkIDs {
		r.skip[id] = true
	}
	q := changesQuery(cfg.Object, r.st.MarkTime)
	if r.first && r.st.Object != "" && r.st.Object != cfg.Object {
		// The designer switched objects: the old object's records go.
		if err := r.d.store.Clear(ctx); err != nil {
			return err
		}
		r.d.log.Info("directory: object changed; the directory is rebuilt", "bot", r.d.bot, "from", r.st.Object, "to", cfg.Object)
	}
	if r.first {
		r.markTime, r.markIDs = time.Time{}, nil
		q = firstRunQuery(cfg.Object, r.d.opts.Now().Add(-cfg.FirstRunSince))
	}
	if err := r.d.sf.Query(ctx, q, func(row map[string]any) error { return r.row(ctx, row) }); err != nil {
		return fmt.Errorf("directory: query %s: %w", cfg.Object, err)
	}
	if err := r.flush(ctx); err != nil || r.first {
		return err
	}
	return r.removeDeleted(ctx)
}

// removeDeleted removes the records in Salesforce's recycle bin (deleted
// in the last 15 days, so a daily sync sees every deletion), at most
// max_per_run of them.
func (r *syncRun) removeDeleted(ctx context.Context) error {
	cfg := r.d.cfg
	q := fmt.Sprintf("SELECT Id FROM %s WHERE IsDeleted = true ORDER BY Id LIMIT %d", cfg.Object, cfg.MaxPerRun)
	err := r.d.sf.QueryAll(ctx, q, func(row map[string]any) error {
		if id, _ := row["Id"].(string); id != "" {
			r.deleted = append(r.deleted, id)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("directory: deleted %s records: %w", cfg.Object, err)
	}
	n, err := r.d.store.Delete(ctx, r.deleted)
	if err != nil {
		return err
	}
	r.removed += n
	return nil
}

// row handles one queried record.
func (r *syncRun) row(ctx context.Context, row map[string]any) error {
	rec, named, err := sfRecord(r.d.cfg.Object, r.d.cfg.Region, row)
	if err != nil {
		return err
	}
	if !r.first && !r.afterMark(rec) {
		return nil
	}
	if r.seen >= r.d.cfg.MaxPerRun {
		r.capped = true
		return sfapi.ErrStop
	}
	switch {
	case named:
		r.buf = append(r.buf, rec)
		r.seen++
	case r.first:
		r.skipped++ // not counted: the cap is on records imported
	default:
		r.gone = append(r.gone, rec.ID)
		r.seen++
	}
	r.advanceMark(rec)
	if len(r.buf)+len(r.gone) >= flushEvery {
		return r.flush(ctx)
	}
	return nil
}

// afterMark reports whether rec comes after the high-water mark.
func (r *syncRun) afterMark(rec Record) bool {
	if !rec.Modified.Equal(r.st.MarkTime) {
		return rec.Modified.After(r.st.MarkTime)
	}
	return !r.skip[rec.ID]
}

// advanceMark moves the mark to rec when it is newer (rows come newest
// first in the first run, oldest first later) and remembers the ids at
// the mark's time.
func (r *syncRun) advanceMark(rec Record) {
	switch {
	case rec.Modified.After(r.markTime):
		r.markTime, r.markIDs = rec.Modified, []string{rec.ID}
	case rec.Modified.Equal(r.markTime):
		r.markIDs = append(r.markIDs, rec.ID)
	}
}

func (r *syncRun) flush(ctx context.Context) error {
	if len(r.buf) > 0 {
		if err := r.d.store.Put(ctx, r.buf); err != nil {
			return err
		}
		r.imported += len(r.buf)
		r.buf = r.buf[:0]
	}
	if len(r.gone) > 0 {
		n, err := r.d.store.Delete(ctx, r.gone)
		if err != nil {
			return err
		}
		r.removed += n
		r.skipped += len(r.gone) - n
		r.gone = r.gone[:0]
	}
	return nil
}

// result is the state to store after the run ended with err. A failed
// run keeps the previous mark and counts.
func (r *syncRun) result(err error) SyncState {
	now := r.d.opts.Now()
	st := r.st
	st.LastRun = now
	if err != nil {
		st.LastError = err.Error()
		if errors.Is(err, context.Canceled) {
			st.LastError = "canceled"
		}
		return st
	}
	st.LastOK, st.LastError, st.Runs = now, "", st.Runs+1
	st.Imported, st.Removed, st.Skipped, st.Capped = r.imported, r.removed, r.skipped, r.capped
	st.Object = r.d.cfg.Object
	if !r.markTime.IsZero() {
		st.MarkTime, st.MarkIDs = r.markTime, r.markIDs
	}
	if st.MarkTime.IsZero() {
		// Nothing changed within first_run_since: start the next run from now.
		st.MarkTime = now.Add(-r.d.cfg.FirstRunSince)
	}
	return st
}
