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
//
// # Common behaviour
//
// Session ids must be 1 to MaxIDLen bytes without '{' or '}' (ErrInvalidID).
// A lease lasts at most Options.LockTTL: after that another Acquire may take
// the session, and the late holder's Commit returns ErrLeaseLost without
// storing anything. Commit resets the idle timer of the state and the outbox;
// Release does not. After the idle TTL without a Commit (the last commit's
// Expiry.IdleTTL, else Options.IdleTTL), Acquire finds nil state and Outbox
// finds no frames. A Commit with empty state removes the
// state but keeps the outbox. Releasing an ended lease does nothing.
// CommitExpiry gives one session its own idle TTL (a bot's setting), and
// may put a note on a watch list that Expired reports once the session
// idles out: each note to exactly one caller, across processes. The
// dialog runtime uses this for the conversation_end event.
//
// # Memory
//
// NewMemory keeps sessions in sharded maps. A waiting Acquire blocks on a
// channel that the holder closes when its lease ends, with a timer for the
// lease's expiry and the caller's context; nothing polls. Expired entries are
// dropped when touched and by one sweeper goroutine per store, which Close
// stops. The byte slices the store hands out are shared and must not be
// modified.
//
// # Redis
//
// All keys of a session share the Cluster hash tag {id}, so the Lua scripts
// below touch a single slot:
//
//	dlg:{id}:state  string: the state, PX the commit's idle TTL
//	dlg:{id}:out    list: outbox frames, each an 8-byte big-endian Seq then the
//	                frame's bytes (so Outbox filters without parsing JSON),
//	                trimmed to OutboxSize, PX the commit's idle TTL
//	dlg:{id}:lock   hash: t = the holder's random token, w = waiters; PX LockTTL
//	dlg:{id}:wake   list: wake tokens for waiters, PX LockTTL
//	dlg:kv:<key>    Get/Set/Delete values
//	dlg:watch:<w>   sorted set: watch-list notes scored by due time in
//	                Redis's clock (ms), written by a second script after a
//	                watched commit; Expired takes due notes in one script
//
// ("dlg:" is Options.Prefix, which must not contain '{' or '}'.)
//
// Acquire runs one script (EVALSHA, cached): if HSETNX lock t=token succeeds
// it sets the lock's expiry and returns the state in the same reply, so an
// uncontended Acquire is one round trip. If the lock is held, the same
// script increments the lock's waiter count and returns its remaining time;
// the caller then BLPOPs the wake list for at most that long (plus 10ms,
// capped at 10s; rounded up to whole seconds when the client's read timeout
// is too short for a fractional BLPOP) and runs the script again. Commit is one
// script too: it checks the token (else ErrLeaseLost), sets or deletes the
// state, appends and trims the frames, refreshes the outbox's expiry,
// deletes the lock and pushes one wake token per registered waiter. Release
// does the last two steps only.
//
// So a waiter wakes as soon as the holder ends its lease, because the token
// is already in the list even if it arrives before the BLPOP; and when a
// holder crashes, its lock expires and the waiters' BLPOP times out at about
// the same moment. All waiters wake together and one wins: the others
// register again with the new holder. A waiter that gave up leaves a token
// behind, which costs a later waiter one extra round trip, and expires with
// the list. A cancelled context ends the wait at once.
//
// The Acquire, Commit and Release scripts of concurrent turns share round
// trips ("natural pipelining", pipeline.go): a call made while the wire is
// free goes out at once; calls made while up to four batches are in flight
// queue and leave together as one pipeline when a batch returns. A quiet
// server adds no latency; a busy one pays one write and one read per batch
// instead of per call. The blocking BLPOP of a waiter is never batched.
//
// Failures to reach Redis (refused or broken connections, timeouts, a closed
// client, replies such as LOADING or CLUSTERDOWN) are returned wrapping
// ErrUnavailable. The client's timeouts decide how soon: ParseRedisURL sets
// short ones. A Commit that fails this way may, rarely, still have been
// applied if Redis received it; callers should treat the turn's outcome as
// unknown and tell the user to try again.
package sessions
