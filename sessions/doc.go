// Package sessions stores conversation state: one Store interface with an
// in-memory implementation (the embedded default) and a Redis one
// (standalone, Sentinel or Cluster through go-redis's UniversalClient).
//
// A session's state is an opaque, compact byte string written by the dialog
// runtime; beside it the store keeps a bounded outbox of the frames sent to
// the user, so a reconnecting client can receive exactly the frames it
// missed. Turns of one session are serialised by a lease that Acquire takes
// and Commit or Release gives back; with Redis this holds across processes.
//
// This package imports nothing else of this module.
package sessions
