package presence

import (
	"context"
	"testing"

	"github.com/botforge/dialogd/desk"
)

// BenchmarkPollOneChange measures one subscriber round against sfsim: a
// status changed in the console, one poll (a SOQL query) applying it.
func BenchmarkPollOneChange(b *testing.B) {
	e := newSyncEnv(b)
	statuses := []string{"Break", "Available"}
	b.ResetTimer()
	for i := range b.N {
		if _, err := e.org.Sim.SetPresence(aliceUser, statuses[i%2]); err != nil {
			b.Fatal(err)
		}
		if err := e.s.Poll(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPublishOneChange measures one publisher round: a desk change
// written through the Apex class.
func BenchmarkPublishOneChange(b *testing.B) {
	e := newSyncEnv(b)
	states := []desk.State{desk.Available, desk.Unavailable}
	b.ResetTimer()
	for i := range b.N {
		if _, err := e.desk.SetState(context.Background(), "alice", states[i%2], "break", desk.OriginAgent); err != nil {
			b.Fatal(err)
		}
		if err := e.s.PublishPending(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
