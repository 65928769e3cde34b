package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/botforge/dialogd/sessions/redistest"
)

// The fault suite (make faults; FAULTS=1): two botd processes on one
// redis-server, faultUsers() users running create-a-lead dialogs with message
// ids against the embedded demo bot, and a fault in the middle of the load.
// Both botd call the demo API of the second one (which is never killed),
// slowed by faultLatency so that a fault lands during the call. Each case
// takes well under a minute; the load gives up after faultLoadLimit.
const (
	faultUsersDefault = 50 // FAULT_USERS=200 runs more, within faultUsersMax
	faultUsersMax     = 500
	faultDialogs      = 3 // per user
	faultLatency      = "500ms"
	faultLoadLimit    = 80 * time.Second
	faultStallLimit   = 5 * time.Second
	faultDemoKey      = "fault-suite-demo-key"
	faultLockDeadline = 5 * time.Second
)

// faultUsers is the number of users: FAULT_USERS, else faultUsersDefault.
func faultUsers(t *testing.T) int {
	t.Helper()
	v := os.Getenv("FAULT_USERS")
	if v == "" {
		return faultUsersDefault
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 2 || n > faultUsersMax {
		t.Fatalf("FAULT_USERS=%q: want a number of users from 2 to %d", v, faultUsersMax)
	}
	return n
}

// faultRig is the processes of one case.
type faultRig struct {
	redis *aofRedis
	botds []*botdProc // botds[0] is the one a case may kill

	bin, dir, redisURL string // how the botds were started, for a restart
	env                []string
}

// restart starts botds[i] again on its address, after it was killed.
func (r *faultRig) restart(t *testing.T, i int) {
	t.Helper()
	old := r.botds[i]
	r.botds[i] = startBotdProc(t, old.name+"-restarted", r.dir, r.bin, old.addr, r.redisURL, r.env)
}

// startFaultRig starts Redis with appendfsync set to fsync, and two botd.
func startFaultRig(t *testing.T, fsync string) *faultRig {
	t.Helper()
	faultsEnabled(t)
	r := startAOFRedis(t, fsync)
	rig := startBotds(t, r.url())
	rig.redis = r
	return rig
}

// startBotds starts two botd on the Redis at redisURL (a server or a
// cluster).
func startBotds(t *testing.T, redisURL string) *faultRig {
	t.Helper()
	bin := buildBotd(t)
	dir := t.TempDir()
	rig := &faultRig{bin: bin, dir: dir, redisURL: redisURL}
	addrs := []string{freeLoopbackAddr(t), freeLoopbackAddr(t)}
	env := envList(map[string]string{
		"BOT_SECRET_KEY":   "fault-suite-secret-0123456789",
		"DEMO_API_KEY":     faultDemoKey,
		"DEMO_API_BASE":    "http://" + addrs[1] + "/demo/api",
		"DEMO_API_LATENCY": faultLatency,
		"DEMO_API":         "on",
		"BOT_DIR":          "", // the embedded demo bot, whatever the caller's environment says
	})
	rig.env = env
	for i, addr := range addrs {
		rig.botds = append(rig.botds, startBotdProc(t, "botd-"+strconv.Itoa(i), dir, bin, addr, redisURL, env))
	}
	return rig
}

func (r *faultRig) addrs() []string {
	return []string{r.botds[0].addr, r.botds[1].addr}
}

// runFaultLoad runs the users, calls fault once half the dialogs are done
// and a "yes" (the slow service call) is in flight on botds[0], and
// returns what the users saw and the error of each user.
func runFaultLoad(t *testing.T, rig *faultRig, fault func(*faultStats)) (*faultStats, []error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), faultLoadLimit)
	defer cancel()
	stats := &faultStats{}
	n := faultUsers(t)
	errs := make([]error, n)
	var users sync.WaitGroup
	for i := range n {
		users.Add(1)
		go func() {
			defer users.Done()
			time.Sleep(time.Duration(i) * 10 * time.Millisecond)
			errs[i] = runUser(ctx, rig.addrs(), i%2, faultDialogs, stats)
		}()
	}
	loadDone := make(chan struct{})
	faulted := make(chan struct{})
	go func() {
		defer close(faulted)
		for {
			select {
			case <-loadDone:
				return
			case <-time.After(2 * time.Millisecond):
			}
			if stats.dialogs.Load() >= int64(n*faultDialogs/2) && stats.inflightYes[0].Load() >= 3 {
				t.Logf("fault with %d slow calls in flight on botd-0; dialogs done by users who began on botd-0 %d, on botd-1 %d",
					stats.inflightYes[0].Load(), stats.dialogsBy[0].Load(), stats.dialogsBy[1].Load())
				fault(stats)
				return
			}
		}
	}()
	users.Wait()
	close(loadDone)
	<-faulted
	if stats.killedAt.Load() == 0 {
		t.Fatal("the fault never landed: the load ended first")
	}
	return stats, errs
}

// checkNoLossNoDuplicates asserts what both cases promise: every user
// finished, 0 lost and 0 duplicated turns, as many leads as dialogs.
func checkNoLossNoDuplicates(t *testing.T, rig *faultRig, stats *faultStats, errs []error) {
	t.Helper()
	failed := 0
	for i, err := range errs {
		if err != nil {
			failed++
			if failed <= 5 {
				t.Errorf("user %d: %v", i, err)
			}
		}
	}
	n := len(errs)
	leads := leadCount(t, "http://"+rig.botds[1].addr, faultDemoKey)
	t.Logf("users %d, finished %d; dialogs completed %d of %d; leads created %d; resumes %d; inputs re-sent after an error %d",
		n, n-failed, stats.dialogs.Load(), n*faultDialogs, leads, stats.resumes.Load(), stats.retries.Load())
	t.Logf("duplicated frames %d, inputs answered twice %d, lost or wrong turns %d %s",
		stats.dupSeqs.Load(), stats.dupAnswers.Load(), stats.wrong.Load(), stats.firstWrng)
	checks := []struct {
		what      string
		got, want int64
	}{
		{"users that did not finish", int64(failed), 0},
		{"dialogs completed", stats.dialogs.Load(), int64(n * faultDialogs)},
		{"leads created", int64(leads), stats.dialogs.Load()},
		{"numbered frames received twice", stats.dupSeqs.Load(), 0},
		{"inputs answered twice", stats.dupAnswers.Load(), 0},
		{"lost or wrong turns", stats.wrong.Load(), 0},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %d; want %d", c.what, c.got, c.want)
		}
	}
}

// longestGapAfter is the longest time after from without any turn ending
// for the users who began on instance first (for the survivor's users:
// its throughput at zero), up to their last turn.
func longestGapAfter(stats *faultStats, first int, from time.Time) time.Duration {
	stats.mu.Lock()
	times := slices.Clone(stats.answered[first])
	stats.mu.Unlock()
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	var gap time.Duration
	prev := from
	for _, at := range times {
		if at.Before(from) {
			continue
		}
		gap = max(gap, at.Sub(prev))
		prev = at
	}
	return gap
}

// kill -9 of one of two botd in the middle of slow service calls: its
// users resume on the other within faultStallLimit of the kill, no turn is
// lost or answered twice, and each completed dialog created one lead.
func TestFaultKillOneBotd(t *testing.T) {
	testKillOneBotd(t, startFaultRig(t, "everysec"))
}

// The same on a 3-master Redis Cluster on loopback: the sessions, their
// wake-ups and the delivery bus spread over the masters.
func TestFaultKillOneBotdCluster(t *testing.T) {
	faultsEnabled(t)
	testKillOneBotd(t, startBotds(t, redistest.StartCluster(t).URL()))
}

// A botd on a 3-master Redis Cluster killed with SIGKILL in the middle of
// its users' slow service calls, then started again on the same address:
// users who know only that address resume there (their state and outbox
// are in the cluster), the replay ends with a non-zero last_seq, and every
// dialog completes with one lead.
func TestFaultRestartBotdCluster(t *testing.T) {
	faultsEnabled(t)
	rig := startBotds(t, redistest.StartCluster(t).URL())
	ctx, cancel := context.WithTimeout(context.Background(), faultLoadLimit)
	defer cancel()
	stats := &faultStats{}
	const users = 10
	errs := make([]error, users)
	var wg sync.WaitGroup
	for i := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = runUser(ctx, []string{rig.botds[0].addr}, 0, faultDialogs, stats)
		}()
	}
	for stats.inflightYes[0].Load() < 3 && ctx.Err() == nil {
		time.Sleep(2 * time.Millisecond)
	}
	stats.killedAt.Store(time.Now().UnixNano())
	rig.botds[0].signal(syscall.SIGKILL)
	rig.restart(t, 0)
	t.Logf("botd-0 killed with %d slow calls in flight and ready again after %v", stats.inflightYes[0].Load(), time.Since(time.Unix(0, stats.killedAt.Load())).Round(time.Millisecond))
	wg.Wait()
	checkNoLossNoDuplicates(t, rig, stats, errs)
	if stats.resumes.Load() == 0 {
		t.Error("no user resumed: the restart did not land mid-dialog")
	}
}

func testKillOneBotd(t *testing.T, rig *faultRig) {
	stats, errs := runFaultLoad(t, rig, func(s *faultStats) {
		s.killedAt.Store(time.Now().UnixNano())
		rig.botds[0].signal(syscall.SIGKILL)
	})
	checkNoLossNoDuplicates(t, rig, stats, errs)

	killedAt := time.Unix(0, stats.killedAt.Load())
	stats.mu.Lock()
	stalls := slices.Clone(stats.stalls)
	stats.mu.Unlock()
	slices.Sort(stalls)
	worst, median := time.Duration(0), time.Duration(0)
	if len(stalls) > 0 {
		worst, median = stalls[len(stalls)-1], stalls[len(stalls)/2]
	}
	t.Logf("kill -9: %d users stalled, the median continued %v and the worst %v after the kill; the survivor's own users' longest time without an answered turn after the kill %v; survivor's log: %d pool-timeout lines",
		len(stalls), median.Round(time.Millisecond), worst.Round(time.Millisecond), longestGapAfter(stats, 1, killedAt).Round(time.Millisecond), rig.botds[1].logLines("pool timeout"))
	if len(stalls) == 0 {
		t.Error("no user was stalled by the kill: it did not land mid-turn")
	}
	if worst > faultStallLimit {
		t.Errorf("worst stalled user continued %v after the kill; want within %v", worst, faultStallLimit)
	}
}

// Redis stopped with SIGTERM and started again (AOF on, appendfsync
// everysec, then always) in the middle of the load: no session lock is
// left faultLockDeadline after the restart, no turn is lost or answered
// twice, and each completed dialog created one lead.
func TestFaultRedisRestart(t *testing.T) {
	faultsEnabled(t)
	for _, fsync := range []string{"everysec", "always"} {
		t.Run("appendfsync="+fsync, func(t *testing.T) { faultRedisRestart(t, fsync) })
	}
}

func faultRedisRestart(t *testing.T, fsync string) {
	rig := startFaultRig(t, fsync)
	var restartedAt time.Time
	stats, errs := runFaultLoad(t, rig, func(s *faultStats) {
		s.killedAt.Store(time.Now().UnixNano())
		rig.redis.terminate()
		time.Sleep(time.Second)
		rig.redis.start()
		restartedAt = time.Now()
	})
	atEnd, err := rig.redis.lockKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	checkNoLossNoDuplicates(t, rig, stats, errs)

	time.Sleep(time.Until(restartedAt.Add(faultLockDeadline)))
	locks, err := rig.redis.lockKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	stoppedAt := time.Unix(0, stats.killedAt.Load())
	t.Logf("redis SIGTERM and restart (AOF %s), down %v: session locks when the load ended %d, %v after the restart %d; longest time without an answered turn after the stop: %v, %v (users by the botd they began on)",
		fsync, restartedAt.Sub(stoppedAt).Round(time.Millisecond), len(atEnd), faultLockDeadline, len(locks),
		longestGapAfter(stats, 0, stoppedAt).Round(time.Millisecond), longestGapAfter(stats, 1, stoppedAt).Round(time.Millisecond))
	if len(locks) != 0 {
		t.Errorf("session locks left %v after the restart: %d (%v); want 0", faultLockDeadline, len(locks), firstFew(locks))
	}
	for i, b := range rig.botds {
		if n := b.logLines("pool timeout"); n > 0 {
			t.Logf("botd-%d logged %d pool-timeout lines", i, n)
		}
	}
}

// firstFew is at most five of keys, for a message.
func firstFew(keys []string) string {
	if len(keys) > 5 {
		return fmt.Sprint(keys[:5], "…")
	}
	return fmt.Sprint(keys)
}
