package sessions_test

import (
	"testing"

	"github.com/botforge/dialogd/sessions"
	"github.com/botforge/dialogd/sessions/storetest"
)

func TestMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) sessions.Store {
		s := sessions.NewMemory(storetest.Options)
		t.Cleanup(func() { s.Close() })
		return s
	})
}
