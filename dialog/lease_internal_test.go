package dialog

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/botforge/dialogd/sessions"
)

// TestStoreErrCodes checks the client-facing code of each store failure.
func TestStoreErrCodes(t *testing.T) {
	r := &Runtime{}
	tests := []struct {
		err  error
		code string // "" for no code (internal)
	}{
		{sessions.ErrBusy, "busy"},
		{sessions.ErrLeaseLost, "unavailable"},
		{sessions.ErrUnavailable, "unavailable"},
		{context.DeadlineExceeded, "unavailable"},
		{errors.New("corrupt"), ""},
	}
	for _, tt := range tests {
		err := r.storeErr("load session", fmt.Errorf("acquire session x: %w", tt.err))
		var ce *codedError
		got := ""
		if errors.As(err, &ce) {
			got = ce.Code()
		}
		if got != tt.code {
			t.Errorf("storeErr(%v) code = %q; want %q", tt.err, got, tt.code)
		}
		if !errors.Is(err, tt.err) {
			t.Errorf("storeErr(%v) = %v; want it wrapped", tt.err, err)
		}
	}
}
