package sessions_test

import (
	"context"
	"fmt"

	"github.com/botforge/dialogd/sessions"
)

// One turn stores the dialog's state and the frames it sent; the next turn
// of the same session finds that state, and a reconnecting client asks the
// outbox for the frames after the last seq it saw.
func ExampleMemory() {
	store := sessions.NewMemory(sessions.Options{})
	defer store.Close()
	ctx := context.Background()

	lease, err := store.Acquire(ctx, "5f0c1d2e")
	if err != nil {
		panic(err)
	}
	fmt.Printf("first turn, state %q\n", lease.State())
	frames := []sessions.Frame{
		{Seq: 1, Data: []byte(`{"seq":1,"text":"What's your last name?"}`)},
		{Seq: 2, Data: []byte(`{"seq":2,"text":"Which company are you with?"}`)},
	}
	if err := lease.Commit(ctx, []byte(`{"v":1,"state":"ask_company"}`), frames); err != nil {
		panic(err)
	}

	lease, err = store.Acquire(ctx, "5f0c1d2e")
	if err != nil {
		panic(err)
	}
	fmt.Printf("next turn, state %s\n", lease.State())
	_ = lease.Release(ctx)

	missed, err := store.Outbox(ctx, "5f0c1d2e", 1)
	if err != nil {
		panic(err)
	}
	for _, f := range missed {
		fmt.Printf("resend %d: %s\n", f.Seq, f.Data)
	}
	// Output:
	// first turn, state ""
	// next turn, state {"v":1,"state":"ask_company"}
	// resend 2: {"seq":2,"text":"Which company are you with?"}
}
