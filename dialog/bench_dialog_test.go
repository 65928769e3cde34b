package dialog_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/sessions"
)

// BenchmarkBenchDialog measures a turn of the side-by-side harness's
// dialog (examples/bench: "create a lead", three free-text answers, an
// e-mail, then the create call to a local stand-in): what the harness
// measures per turn, without the socket and Redis. Three of its five
// turns are free-text answers, which the runtime checks for requests and
// small talk (interjection.go).
func BenchmarkBenchDialog(b *testing.B) {
	sf := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"id":"00Q000000000001AAA","success":true,"errors":[]}`)
	}))
	defer sf.Close()
	b.Setenv("FAKESF_URL", sf.URL)
	bot, err := dialog.LoadDir("../examples/bench")
	if err != nil {
		b.Fatal(err)
	}
	store := sessions.NewMemory(sessions.Options{})
	defer store.Close()
	rt := dialog.NewRuntime(bot, store, dialog.Options{})
	benchTurns(b, rt, "create a lead", "Ada", "Lovelace", "Analytical Engines", "ada@example.com")
}
