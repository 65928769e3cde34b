package convtest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"

	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions"
)

// Env is what tests run against.
type Env struct {
	Bot *dialog.Bot
	// Options are the runtime's: HTTPClient and Auth (the authorizer of
	// the bot's auth profiles) matter; Logger defaults to discarding.
	Options dialog.Options
	// Records is the org that given: seeds and records: checks query;
	// nil fails a test that uses either.
	Records Records
	// PerUser names the auth profiles each user signs in to (per_user):
	// a test with signed_in: false meets their authorize frame.
	PerUser map[string]bool
}

// Result is how one test went.
type Result struct {
	Name string
	// Failure is nil when the test passed.
	Failure *Failure
	// Moves are the transitions the conversation took, in order.
	Moves []Move
}

// Move is one transition a conversation took.
type Move struct{ Task, From, To string }

// Exchange is one turn of a conversation: what the tester did and what
// the bot answered (its texts, joined by newlines).
type Exchange struct{ Action, Answer string }

// tester is the user id test conversations run as.
const tester = "convtest-user"

// Run runs one test in a fresh in-memory session store.
func Run(ctx context.Context, env Env, tc Test, index int) Result {
	res := Result{Name: tc.DisplayName(index)}
	store := sessions.NewMemory(sessions.Options{})
	defer store.Close()
	r := &run{env: env, session: "convtest-" + strconv.Itoa(index+1), signedIn: tc.SignedIn == nil || *tc.SignedIn}
	opts := env.Options
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Auth != nil && len(env.PerUser) > 0 {
		opts.Auth = &signInGate{next: opts.Auth, perUser: env.PerUser, signedIn: &r.signedIn}
	}
	r.rt = dialog.NewRuntime(env.Bot, store, opts)
	ctx = dialog.WithTrace(ctx, &dialog.Trace{
		Moved: func(task, from, to string) {
			res.Moves = append(res.Moves, Move{Task: task, From: from, To: to})
		},
		Ended: func(_ string, mem nodes.Memory) { r.ended = &mem },
	})
	ctx = nodes.WithIdentity(ctx, tc.identity())
	if err := r.seed(ctx, tc.Given); err != nil {
		res.Failure = &Failure{Check: "given", Msg: err.Error()}
		return res
	}
	for i, tu := range tc.Turns {
		if f := r.turn(ctx, i, tu); f != nil {
			f.Transcript = r.transcript
			res.Failure = f
			return res
		}
	}
	return res
}

func (tc *Test) identity() nodes.Identity {
	id := nodes.Identity{UserID: tester}
	if ti := tc.Identity; ti != nil {
		id = nodes.Identity{UserID: tester, Subject: ti.Subject, Name: ti.Name, Email: ti.Email,
			Phone: ti.Phone, Verified: ti.Verified}
	}
	return id
}

// run is one test conversation under way.
type run struct {
	env        Env
	rt         *dialog.Runtime
	session    string
	last       answer // the previous turn's, for clicks
	transcript []Exchange
	// ended is the context of the task the running turn ended, as it
	// was before the runtime cleared it; nil when no task ended.
	ended *nodes.Memory
	// signedIn: the per_user profiles' calls carry the credential.
	signedIn bool
}

// turn sends one turn and checks its expectations; it returns the first
// that does not hold.
func (r *run) turn(ctx context.Context, i int, tu Turn) *Failure {
	action := "say " + strconv.Quote(tu.Say)
	fail := func(check, format string, args ...any) *Failure {
		return &Failure{Turn: i + 1, Action: action, Check: check, Msg: fmt.Sprintf(format, args...)}
	}
	if probs := tu.Problems(); len(probs) > 0 {
		return fail("turn", "%s", probs[0])
	}
	in := nodes.Input{ID: "m" + strconv.Itoa(i+1), Text: tu.Say}
	if tu.Click != "" {
		action = "click " + strconv.Quote(tu.Click)
		b, ok := r.last.findButton(tu.Click)
		if !ok {
			return fail("button", "no such button (the replies offered %s)", r.last.buttonTitles())
		}
		in.Text, in.Payload = b.Title, b.Payload
	}
	r.ended = nil
	var frames [][]byte
	var err error
	switch tu.SignIn {
	case SignInGrant:
		action, r.signedIn = "sign in", true
		frames, err = r.rt.Resume(ctx, r.session, tester)
	case SignInDeny:
		action = "refuse to sign in"
		frames, err = r.rt.Denied(ctx, r.session, tester)
	default:
		frames, err = r.rt.Handle(ctx, r.session, tester, in)
	}
	a := answer{err: err}
	if err == nil {
		if a, err = readAnswer(frames); err != nil {
			return fail("answer", "%v", err)
		}
	}
	r.last = a
	r.transcript = append(r.transcript, Exchange{Action: action, Answer: a.shown()})
	if f := r.check(ctx, tu, a); f != nil {
		f.Turn, f.Action = i+1, action
		return f
	}
	return nil
}

// shown is the answer as a transcript shows it.
func (a answer) shown() string {
	if a.err != nil {
		return "(error frame: " + a.err.Error() + ")"
	}
	return a.text
}

// check tests a turn's expectations in the order they are written in
// the schema: text, kind, context, records.
func (r *run) check(ctx context.Context, tu Turn, a answer) *Failure {
	if a.err != nil && !wantsError(tu.Kind) {
		return &Failure{Check: "answer", Msg: "the turn failed: " + a.err.Error()}
	}
	if tu.Expect != "" {
		p, _ := ParsePattern(tu.Expect) // checked by Problems
		if !p.Match(a.text) {
			return &Failure{Check: "text", Want: p.String(), Got: strconv.Quote(a.text)}
		}
	}
	if tu.Kind != "" {
		if f := checkKinds(tu.Kind, a); f != nil {
			return f
		}
	}
	if tu.Context != nil {
		if f := r.checkContext(ctx, *tu.Context); f != nil {
			return f
		}
	}
	if tu.Records != nil {
		return r.checkRecords(ctx, tu.Records)
	}
	return nil
}

func wantsError(kind string) bool {
	kinds, _ := parseKinds(kind)
	for _, k := range kinds {
		if k == "error" {
			return true
		}
	}
	return false
}
