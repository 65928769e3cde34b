package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/redis/go-redis/v9"

	"github.com/botforge/dialogd/sfsim"
	"github.com/botforge/dialogd/templates"
)

// The conversation log under a crash (issue 12, "Log the conversation"):
// convlogUsers conversations on two botd and one redis-server, a
// pre_authorized Salesforce bot with the catalogue's identify-the-customer
// and log-the-conversation tasks against sfsim, Lead and Task creates
// slowed by convlogCreateDelay. All conversations end at once (half the
// users close the chat, half go quiet and idle out after convlogIdleTTL),
// Salesforce refuses the first convlogRefusedTasks Task creates, and botd-0
// is killed with SIGKILL while the logging is under way.
const (
	convlogUsers        = 200
	convlogCreateDelay  = 700 * time.Millisecond
	convlogIdleTTL      = "3s"
	convlogSweepEvery   = "250ms"
	convlogEndHold      = "5s"
	convlogDialogLimit  = 25 * time.Second // the dialogs before the ends
	convlogDrainLimit   = 30 * time.Second // the ends, from the barrier
	convlogRefusedTasks = 10               // Task creates Salesforce refuses with 503 as the ends begin
)

// The kinds of user: a Contact or a Lead the org has, whom the identify
// task finds by the e-mail they type, and a visitor the org does not know,
// who leaves their name (the log creates their Lead first).
const (
	kindContact = iota
	kindLead
	kindVisitor
)

// convlogUser is one simulated customer.
type convlogUser struct {
	i           int
	kind        int
	email       string
	first, last string
	closes      bool   // closes the chat (an end frame); otherwise goes quiet
	want        string // the Id the Task's WhoId must be (a visitor's: found after)
}

// convlogPeople makes the users: a quarter Contacts, a quarter Leads, half
// visitors; in each kind, every other one closes the chat.
func convlogPeople(n int) []*convlogUser {
	users := make([]*convlogUser, n)
	for i := range users {
		tag := string(rune('A'+i/26)) + string(rune('a'+i%26)) // names are letters
		u := &convlogUser{i: i, closes: (i/4)%2 == 0}
		switch i % 4 {
		case 0:
			u.kind, u.first, u.last = kindContact, "Cora", "Contact-"+tag
			u.email = fmt.Sprintf("contact-%03d@convlog.example", i)
		case 1:
			u.kind, u.first, u.last = kindLead, "Lee", "Lead-"+tag
			u.email = fmt.Sprintf("lead-%03d@convlog.example", i)
		default:
			u.kind, u.first, u.last = kindVisitor, "Vic", "Visitor-"+tag
			u.email = fmt.Sprintf("visitor-%03d@convlog.example", i)
		}
		users[i] = u
	}
	return users
}

// script is what the user says (or presses) and a part of each reply.
func (u *convlogUser) script() []struct{ say, want string } {
	name := u.first + " " + u.last
	steps := []struct{ say, want string }{
		{"identify me", "what is your e-mail address or phone number?"},
	}
	if u.kind != kindVisitor {
		return append(steps, struct{ say, want string }{u.email, "Hello " + name + ", good to have you here!"})
	}
	return append(steps,
		struct{ say, want string }{u.email, "Sorry, I could not find you in our records."},
		struct{ say, want string }{"!identify_leave", "What is your name?"},
		struct{ say, want string }{name, "Thank you, " + name + ". We will get back to you at " + u.email + "."})
}

// convlogOrg is sfsim seeded with the users' Contacts and Leads, behind a
// front that delays Lead and Task creates. A create goes through even when
// the botd that sent it died meanwhile (as in Salesforce: the record is
// made, nobody hears of it): the front counts those.
type convlogOrg struct {
	sim       *sfsim.Server
	url       string
	inFlight  atomic.Int64 // Lead and Task creates under way
	orphaned  atomic.Int64 // creates made after their caller hung up
	refreshed atomic.Int64 // Task updates: a run found its Task written before
}

func startConvlogOrg(t *testing.T, users []*convlogUser) *convlogOrg {
	t.Helper()
	fx, err := sfsim.DemoFixture()
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		rec := map[string]any{"FirstName": u.first, "LastName": u.last, "Email": u.email}
		switch u.kind {
		case kindContact:
			fx.Records["Contact"] = append(fx.Records["Contact"], rec)
		case kindLead:
			rec["Company"] = "Convlog Ltd"
			fx.Records["Lead"] = append(fx.Records["Lead"], rec)
		}
	}
	sim, err := sfsim.New(sfsim.WithFixture(fx))
	if err != nil {
		t.Fatal(err)
	}
	org := &convlogOrg{sim: sim}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(org.serve), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	org.url = "http://" + ln.Addr().String()
	for _, u := range users {
		if u.kind != kindVisitor {
			u.want = org.idByEmail(t, map[int]string{kindContact: "Contact", kindLead: "Lead"}[u.kind], u.email)
		}
	}
	return org
}

func (o *convlogOrg) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPatch && strings.Contains(r.URL.Path, "/sobjects/Task/") {
		o.refreshed.Add(1)
	}
	if r.Method == http.MethodPost && (strings.HasSuffix(r.URL.Path, "/sobjects/Task") || strings.HasSuffix(r.URL.Path, "/sobjects/Lead")) {
		o.inFlight.Add(1)
		defer o.inFlight.Add(-1)
		// Read to the end, so that the server notices the caller hanging up.
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		time.Sleep(convlogCreateDelay)
		if r.Context().Err() != nil {
			o.orphaned.Add(1)
		}
		r = r.WithContext(context.WithoutCancel(r.Context()))
	}
	o.sim.ServeHTTP(w, r)
}

// records runs a SOQL query on the org.
func (o *convlogOrg) records(t *testing.T, q string) []map[string]any {
	t.Helper()
	res, err := o.sim.RunQuery(q, false)
	if err != nil {
		t.Fatalf("sfsim %s: %v", q, err)
	}
	return res.Records
}

// idByEmail is the Id of the only record of object with that e-mail, ""
// when there is none or more than one.
func (o *convlogOrg) idByEmail(t *testing.T, object, email string) string {
	t.Helper()
	recs := o.records(t, "SELECT Id FROM "+object+" WHERE Email = '"+email+"'")
	if len(recs) != 1 {
		return ""
	}
	id, _ := recs[0]["Id"].(string)
	return id
}

// writeConvlogBot writes a bot that identifies customers and logs every
// conversation, its Salesforce profile the password flow (pre_authorized)
// of sfsim's demo user.
func writeConvlogBot(t *testing.T, org *convlogOrg) (dir string, env []string) {
	t.Helper()
	creds, err := org.sim.Credentials()
	if err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	bot := `name: convlog
languages: [en]
auth_profiles:
  salesforce:
    kind: oauth2_password
    salesforce: {login: "` + org.url + `"}
    client_id: ` + creds.ClientID + `
    client_secret: {env: CONVLOG_SF_SECRET}
    username: ` + creds.Username + `
    password: {env: CONVLOG_SF_PASSWORD}
    security_token: {env: CONVLOG_SF_TOKEN}
events:
  conversation_start: {text: "Hi! I can look you up in our records."}
  conversation_end: {task: log_conversation, transcript: true, log: true}
`
	if err := os.MkdirAll(filepath.Join(dir, "tasks"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bot.yaml"), []byte(bot), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"salesforce_log_conversation", "salesforce_identify_customer"} {
		if _, err := templates.Install(dir, name, nil); err != nil {
			t.Fatalf("install %s: %v", name, err)
		}
	}
	env = envList(map[string]string{
		"CONVLOG_SF_SECRET": creds.ClientSecret, "CONVLOG_SF_PASSWORD": creds.Password, "CONVLOG_SF_TOKEN": creds.SecurityToken,
		"BOT_SECRET_KEY": "fault-suite-secret-0123456789", "BOT_DIR": dir,
		"IDLE_TTL": convlogIdleTTL, "END_SWEEP_EVERY": convlogSweepEvery, "END_HOLD": convlogEndHold,
	})
	return dir, env
}

// convlogRun is one user's part: the dialog but for its last step; at the
// barrier the last step (so that every conversation's idle time-out runs
// from about then); then a closing user closes the chat at closeAt, a
// little before the quiet ones idle out, so that both kinds of end are
// logged at once.
func convlogRun(ctx context.Context, u *convlogUser, addrs []string, stats *faultStats, dialogsDone *sync.WaitGroup, barrier <-chan struct{}, closeAt *time.Time) (*faultUser, error) {
	fu := newFaultUser(addrs, u.i%2, stats)
	var once sync.Once
	dialogDone := func() { once.Do(dialogsDone.Done) }
	defer dialogDone()
	if err := fu.connect(ctx); err != nil {
		return fu, err
	}
	steps := u.script()
	for i, step := range steps {
		if i == len(steps)-1 {
			dialogDone()
			select {
			case <-barrier:
			case <-ctx.Done():
				return fu, ctx.Err()
			}
		}
		payload, press := strings.CutPrefix(step.say, "!")
		fu.postback = press
		got, err := fu.turn(ctx, payload)
		if err != nil {
			return fu, fmt.Errorf("say %q: %w", step.say, err)
		}
		if !strings.Contains(got, step.want) {
			return fu, fmt.Errorf("say %q: got %q; want %q", step.say, got, step.want)
		}
	}
	if !u.closes {
		return fu, nil
	}
	time.Sleep(time.Until(*closeAt))
	_ = fu.conn.SetWriteDeadline(time.Now().Add(3 * time.Second))
	if err := fu.conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"end","id":"end-1"}`)); err != nil {
		return fu, fmt.Errorf("end frame: %w", err)
	}
	return fu, nil
}

// watchLeft is how many conversations the bot's conversation_end watch
// list still holds (not yet logged, or claimed and not done).
func watchLeft(ctx context.Context, rdb *redis.Client) (int64, error) {
	return rdb.ZCard(ctx, "dlg:watch:conversation_end:convlog").Result()
}

// TestFaultConversationLog: 200 conversations end at once on two botd,
// one botd is killed with SIGKILL while their Leads and Tasks are being
// created, and the org ends with exactly one Task per conversation, on
// the right Contact or Lead, and one new Lead per unknown visitor.
func TestFaultConversationLog(t *testing.T) {
	faultsEnabled(t)
	began := time.Now()
	users := convlogPeople(convlogUsers)
	org := startConvlogOrg(t, users)
	rds := startAOFRedis(t, "everysec")
	_, env := writeConvlogBot(t, org)
	bin := buildBotd(t)
	logDir := t.TempDir()
	botds := []*botdProc{
		startBotdProc(t, "botd-0", logDir, bin, freeLoopbackAddr(t), rds.url(), env, "-log-level", "info"),
		startBotdProc(t, "botd-1", logDir, bin, freeLoopbackAddr(t), rds.url(), env, "-log-level", "info"),
	}
	addrs := []string{botds[0].addr, botds[1].addr}
	t.Logf("rig ready after %v", time.Since(began).Round(time.Millisecond))

	ctx, cancel := context.WithTimeout(context.Background(), convlogDialogLimit+convlogDrainLimit)
	defer cancel()
	stats := &faultStats{}
	var dialogsDone, finished sync.WaitGroup
	barrier := make(chan struct{})
	var closeAt time.Time // set before the barrier opens
	conns := make([]*faultUser, len(users))
	errs := make([]error, len(users))
	dialogsDone.Add(len(users))
	for i, u := range users {
		finished.Add(1)
		go func() {
			defer finished.Done()
			time.Sleep(time.Duration(i) * 2 * time.Millisecond)
			conns[i], errs[i] = convlogRun(ctx, u, addrs, stats, &dialogsDone, barrier, &closeAt)
		}()
	}
	defer func() {
		for _, c := range conns {
			if c != nil && c.conn != nil {
				c.conn.Close()
			}
		}
	}()
	waitOrFail(t, &dialogsDone, convlogDialogLimit, "the dialogs")
	dialogsAt := time.Now()
	t.Logf("%d dialogs done after %v", len(users), dialogsAt.Sub(began).Round(time.Millisecond))
	idleTTL, _ := time.ParseDuration(convlogIdleTTL)
	closeAt = time.Now().Add(idleTTL - idleTTL/6)
	// Salesforce refuses the first Task creates (503): those handlers fail
	// and must be run again, the closed conversations' ones too.
	if err := org.sim.FailNext(convlogRefusedTasks, sfsim.FaultUnavailable, "/sobjects/Task"); err != nil {
		t.Fatal(err)
	}
	close(barrier)
	finished.Wait()
	failed := 0
	for i, err := range errs {
		if err != nil {
			if failed++; failed <= 5 {
				t.Errorf("user %d: %v", i, err)
			}
		}
	}
	if failed > 0 {
		t.Fatalf("%d users did not get through their dialog", failed)
	}
	endedAt := time.Now()
	killedAt, inFlight := convlogKill(t, org, botds[0], endedAt)
	drained := convlogDrain(t, ctx, rds, org)
	t.Logf("ends at %v; botd-0 killed %v later with %d creates in flight; drained %v after the ends (%v after the kill); creates made after their botd died %d; Tasks a later run found written and brought up to date %d",
		endedAt.Sub(began).Round(time.Millisecond), killedAt.Sub(endedAt).Round(time.Millisecond), inFlight,
		drained.Sub(endedAt).Round(time.Millisecond), drained.Sub(killedAt).Round(time.Millisecond), org.orphaned.Load(), org.refreshed.Load())
	convlogReportRuns(t, botds)
	checkConvlogRecords(t, org, users)
}

// waitOrFail waits for wg, or fails the test after limit.
func waitOrFail(t *testing.T, wg *sync.WaitGroup, limit time.Duration, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(limit):
		t.Fatalf("%s did not finish within %v", what, limit)
	}
}

// convlogKill kills botd with SIGKILL once a tenth of the Tasks exist, at
// least 10 creates are under way and botd has begun ending idled-out
// conversations its sweep claimed (the logging is in full swing, on both
// paths), and returns when, and how many creates were under way.
func convlogKill(t *testing.T, org *convlogOrg, botd *botdProc, from time.Time) (time.Time, int64) {
	t.Helper()
	for deadline := from.Add(convlogDrainLimit / 2); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		n := org.inFlight.Load()
		if n >= 10 && botd.logLines(`"reason":"idle"`) >= 3 && len(org.records(t, "SELECT Id FROM Task WHERE Subject LIKE 'Chat %'")) >= convlogUsers/10 {
			at := time.Now()
			botd.signal(syscall.SIGKILL)
			return at, n
		}
	}
	t.Fatalf("the kill never landed: the logging was over first (%d creates under way)", org.inFlight.Load())
	return time.Time{}, 0
}

// convlogDrain waits until the watch list is empty and no create is under
// way: every conversation was logged, or given up; or until ctx ends (an
// error).
func convlogDrain(t *testing.T, ctx context.Context, rds *aofRedis, org *convlogOrg) time.Time {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: rds.addr})
	defer rdb.Close()
	for {
		left, err := watchLeft(ctx, rdb)
		if err == nil && left == 0 && org.inFlight.Load() == 0 {
			return time.Now()
		}
		select {
		case <-ctx.Done():
			// The records still say what went wrong.
			t.Errorf("conversations still to log when the time was up: %d (%v); creates under way %d", left, err, org.inFlight.Load())
			return time.Now()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// convlogReportRuns logs how many conversation_end handlers each botd
// began, by reason, and how many conversations the survivor ended again
// after botd-0 began them, from their "conversation ended" log lines.
func convlogReportRuns(t *testing.T, botds []*botdProc) {
	t.Helper()
	byProc := make([]map[string]string, len(botds)) // conversation → reason
	for i, b := range botds {
		byProc[i] = endedConversations(t, b.logPath)
	}
	again := 0
	for c := range byProc[0] {
		if _, ok := byProc[1][c]; ok {
			again++
		}
	}
	for i, m := range byProc {
		reasons := map[string]int{}
		for _, r := range m {
			reasons[r]++
		}
		t.Logf("botd-%d began %d conversation_end handlers %v", i, len(m), reasons)
	}
	t.Logf("conversations botd-0 began to end and botd-1 ended again after the kill: %d", again)
	if again == 0 {
		t.Error("no conversation_end was run again after the kill: it did not land mid-logging")
	}
}

// endedConversations reads the "conversation ended" lines of a botd log.
func endedConversations(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		var rec struct{ Msg, Conversation, Reason string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "conversation ended" {
			out[rec.Conversation] = rec.Reason
		}
	}
	return out
}

var chatSubject = regexp.MustCompile(`^Chat [0-9a-f-]{36}$`)

// checkConvlogRecords asserts the org's Tasks and Leads: one Task per
// conversation, completed, with its transcript, on the user's Contact or
// Lead; one new Lead per visitor, with the name they gave.
func checkConvlogRecords(t *testing.T, org *convlogOrg, users []*convlogUser) {
	t.Helper()
	tasks := org.records(t, "SELECT Id, Subject, Description, Status, WhoId FROM Task WHERE Subject LIKE 'Chat %'")
	subjects := map[string]int{}
	taskOf := map[int][]map[string]any{} // user → Tasks whose transcript has their e-mail
	for _, task := range tasks {
		subj, _ := task["Subject"].(string)
		subjects[subj]++
		desc, _ := task["Description"].(string)
		for _, u := range users {
			if strings.Contains(desc, "User: "+u.email) {
				taskOf[u.i] = append(taskOf[u.i], task)
			}
		}
	}
	dupSubjects := 0
	for _, n := range subjects {
		if n > 1 {
			dupSubjects += n - 1
		}
	}
	newLeads := org.records(t, "SELECT Id, FirstName, LastName, Email FROM Lead WHERE Email LIKE 'visitor-%'")
	t.Logf("Tasks %d (conversations %d), Tasks for a conversation already logged %d; new Leads %d (visitors %d)",
		len(tasks), len(users), dupSubjects, len(newLeads), len(users)/2)
	checks := []struct {
		what      string
		got, want int
	}{
		{"Tasks", len(tasks), len(users)},
		{"Tasks for a conversation already logged", dupSubjects, 0},
		{"new Leads", len(newLeads), len(users) / 2},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %d; want %d", c.what, c.got, c.want)
		}
	}
	wrong := 0
	for _, u := range users {
		if err := checkUserTask(t, org, u, taskOf[u.i]); err != nil {
			if wrong++; wrong <= 5 {
				t.Errorf("user %d (%s): %v", u.i, u.email, err)
			}
		}
	}
	if wrong > 5 {
		t.Errorf("… %d users in all with a missing, extra or wrong Task", wrong)
	}
}

// checkUserTask checks the one Task of a user's conversation.
func checkUserTask(t *testing.T, org *convlogOrg, u *convlogUser, tasks []map[string]any) error {
	t.Helper()
	if len(tasks) != 1 {
		return fmt.Errorf("%d Tasks with the conversation's transcript; want 1", len(tasks))
	}
	task := tasks[0]
	want := u.want
	if u.kind == kindVisitor {
		leads := org.records(t, "SELECT Id, FirstName, LastName FROM Lead WHERE Email = '"+u.email+"'")
		if len(leads) != 1 {
			return fmt.Errorf("%d Leads with the visitor's e-mail; want 1", len(leads))
		}
		if leads[0]["FirstName"] != u.first || leads[0]["LastName"] != u.last {
			return fmt.Errorf("Lead named %v %v; want %s %s (what the visitor said)", leads[0]["FirstName"], leads[0]["LastName"], u.first, u.last)
		}
		want, _ = leads[0]["Id"].(string)
	}
	switch {
	case task["WhoId"] != want:
		return fmt.Errorf("Task %v has WhoId %v; want %s", task["Id"], task["WhoId"], want)
	case task["Status"] != "Completed":
		return fmt.Errorf("Task %v has Status %v; want Completed", task["Id"], task["Status"])
	case !chatSubject.MatchString(fmt.Sprint(task["Subject"])):
		return fmt.Errorf("Task %v has Subject %q; want Chat and the conversation id", task["Id"], task["Subject"])
	case !strings.Contains(fmt.Sprint(task["Description"]), "Bot: "):
		return fmt.Errorf("Task %v's Description %q; want the transcript", task["Id"], task["Description"])
	}
	return nil
}
