package directory

import (
	"context"
	"time"
)

// Store keeps a bot's directory: records with their lookup keys, and the
// sync state. Implementations: NewMemoryStore (one process) and
// NewRedisStore (shared by every botd instance).
type Store interface {
	// Put stores recs, replacing records with the same id (and their
	// old lookup keys).
	Put(ctx context.Context, recs []Record) error
	// Delete removes the records ids and returns how many there were;
	// unknown ids are ignored.
	Delete(ctx context.Context, ids []string) (int, error)
	// Find returns at most limit records whose key of kind (email, phone,
	// name) is value, already normalised; ordered by id.
	Find(ctx context.Context, kind, value string, limit int) ([]Record, error)
	// Clear removes every record (the sync state stays).
	Clear(ctx context.Context) error
	// Count returns the number of records.
	Count(ctx context.Context) (int, error)
	// State returns the sync state (zero before the first run).
	State(ctx context.Context) (SyncState, error)
	// SaveState stores the sync state.
	SaveState(ctx context.Context, st SyncState) error
	// Lock takes the directory's sync lock for at most ttl; ok is false
	// when another holder has it. unlock releases it.
	Lock(ctx context.Context, ttl time.Duration) (unlock func(), ok bool, err error)
}

// SyncState is what the directory remembers between syncs.
type SyncState struct {
	LastRun   time.Time `json:"last_run,omitzero"`    // when the last run ended (success or not)
	LastOK    time.Time `json:"last_ok,omitzero"`     // when the last successful run ended
	LastError string    `json:"last_error,omitempty"` // the last run's error, "" when it succeeded
	// Mark is the high-water mark: the (LastModifiedDate, Id) of the
	// newest record processed; the next run asks for what changed after it.
	MarkTime time.Time `json:"mark_time,omitzero"`
	// MarkIDs are the ids of the records processed whose LastModifiedDate
	// is MarkTime: the next run skips them (records share a timestamp when
	// loaded in bulk, and the order of ids is Salesforce's own).
	MarkIDs  []string `json:"mark_ids,omitempty"`
	Runs     int      `json:"runs"`             // successful runs so far
	Imported int      `json:"imported"`         // records stored by the last successful run
	Removed  int      `json:"removed"`          // records removed by it (lost their name)
	Skipped  int      `json:"skipped"`          // records without a name it left out
	Capped   bool     `json:"capped,omitempty"` // it stopped at max_per_run with more to read
	Object   string   `json:"object,omitempty"` // the object the mark belongs to
}
