// Package storetest is the conformance suite every sessions.Store
// implementation must pass.
//
// An implementation's test calls Run with a function that opens a store
// built with storetest.Options:
//
//	func TestMemory(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) sessions.Store {
//			s := sessions.NewMemory(storetest.Options)
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// The suite covers state round trips, the bounded outbox, idle expiry, lease
// serialisation (Counter, also usable across several stores that share
// data), a waiter freed by an expired lease, ErrLeaseLost, cancellation while
// waiting and the key-value methods. Tests that wait for a TTL run in
// parallel, so the whole suite takes a few seconds.
package storetest
