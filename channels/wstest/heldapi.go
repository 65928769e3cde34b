package wstest

import (
	"io"
	"net/http"
)

// HeldAPI is an HTTP API for service nodes whose calls answer only when the
// test lets them, so that a turn can be caught in the middle of its call
// (a socket cut, a resume). Entered gets a value when a call arrives;
// each value sent on Release lets one call answer {"ok":true}. A call whose
// client goes away ends without an answer.
type HeldAPI struct {
	Entered chan struct{}
	Release chan struct{}
}

// NewHeldAPI returns a HeldAPI that can note up to 4 calls not yet waited for.
func NewHeldAPI() *HeldAPI {
	return &HeldAPI{Entered: make(chan struct{}, 4), Release: make(chan struct{})}
}

func (a *HeldAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.Entered <- struct{}{}
	select {
	case <-a.Release:
	case <-r.Context().Done():
		return
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"ok":true}`)
}
