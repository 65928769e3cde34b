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
// A lease lasts Options.LockTTL (3s by default) and the store renews it
// in the background every LockTTL/3 (a timer per lease, no store call for
// a turn shorter than that) until Commit or Release, until the context
// given to Acquire ends, or for MaxHold at most. A lease that was not
// renewed in time (its process died, stalled, or lost the store) ends on
// its own, so a dead instance's sessions free within LockTTL; another
// Acquire may then take the session, and the late holder's Commit returns
// ErrLeaseLost without storing anything. Every lease carries a fencing
// token (Lease.Fence) that grows with each lease of the session; Commit
// stores only while the lease's token is the session's current one. At
// most Options.MaxWaiters turns of one process wait for one session; more
// get ErrBusy at once.
//
// Commit resets the idle timer of the state and the outbox; Release does
// not. After the idle TTL without a Commit (the last commit's
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
//	dlg:{id}:lock   hash: t = the holder's token (fence ':' a token unique to
//	                the lease), w = turns that found it held; PX LockTTL,
//	                renewed while the holder runs
//	dlg:{id}:fence  string: the session's lease counter (INCR), PX at least
//	                the idle TTL
//	dlg:wake        pub/sub channel: lock keys of sessions whose lease ended
//	                while turns waited
//	dlg:kv:<key>    Get/Set/Delete values
//	dlg:watch:<w>   sorted set: watch-list notes scored by due time in
//	                Redis's clock (ms), written by a second script after a
//	                watched commit; Expired takes due notes in one script
//
// ("dlg:" is Options.Prefix, which must not contain '{' or '}'.)
//
// Acquire runs one script (EVALSHA, cached): if the lock does not exist it
// increments the fence, stores the lock with the new token and a PX of
// LockTTL, and returns the state and the fence in the same reply, so an
// uncontended Acquire is one round trip. If the lock is held, the same
// script increments the lock's waiter count and returns its remaining
// time. Commit is one script too: it checks the token (else ErrLeaseLost),
// sets or deletes the state, appends and trims the frames, refreshes the
// outbox's and fence's expiry, deletes the lock and, if turns waited,
// publishes the lock's key on the wake channel. Release does the last two
// steps only. Renewal is a script that extends the lock only while the
// token still holds it.
//
// A waiting turn holds no connection (wake.go): it joins its process's
// wake hub, one pub/sub subscription per process started on first use, and
// sleeps until the hub reports its session's lock key, until the holder's
// lease has run out (a crashed holder publishes nothing), or until its
// context ends, which stops the wait at once; then it runs the script again.
// While the subscription is down waiters poll every 100ms, and when it
// comes back every waiter tries again, so a lost message costs time, never
// a stuck turn. All waiters of a session wake together and one wins: the
// others register again with the new holder.
//
// Pending releases are not queued for retry. A turn whose Acquire, Commit
// or Release reply was lost (Redis restarted, the connection broke) leaves
// a lock that nobody renews, so it expires within LockTTL of being set; a
// retry queue would add state to every instance to save at most those few
// seconds, and could not help the instance that died.
//
// The Acquire, Commit and Release scripts of concurrent turns share round
// trips ("natural pipelining", pipeline.go): a call made while the wire is
// free goes out at once; calls made while up to four batches are in flight
// queue and leave together as one pipeline when a batch returns. A quiet
// server adds no latency; a busy one pays one write and one read per batch
// instead of per call.
//
// Failures to reach Redis (refused or broken connections, timeouts, a closed
// client, replies such as LOADING or CLUSTERDOWN) are returned wrapping
// ErrUnavailable. The client's timeouts decide how soon: ParseRedisURL sets
// short ones. A Commit that fails this way may, rarely, still have been
// applied if Redis received it; callers should treat the turn's outcome as
// unknown and tell the user to try again.
package sessions
