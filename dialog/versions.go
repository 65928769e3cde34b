package dialog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"sync/atomic"

	"github.com/botforge/dialogd/nodes"
)

// DefaultKeepTaskVersions is how many versions of each task a
// [TaskVersions] keeps when it is given no number.
const DefaultKeepTaskVersions = 8

// taskVersion names a task's definition by its content: the first 12 hex
// digits of the SHA-256 of its file. The same file loaded twice (a reload
// that changed another task) has the same version.
func taskVersion(file []byte) string {
	h := sha256.Sum256(file)
	return hex.EncodeToString(h[:6])
}

// TaskVersions keeps the versions of a bot's tasks that its runtimes
// loaded, so that a conversation inside a task runs its next turns on the
// version it started with after the bot was reloaded. It is bounded: the
// last keep versions of each task, the newest included, by the order they
// were added. A conversation whose version has been dropped (or was never
// seen by this process: another instance, a restart) goes on with the
// current version when the node it waits at still exists there, and is
// told that the task stopped otherwise (see Runtime.taskOf). Safe for
// concurrent use.
type TaskVersions struct {
	mu     sync.Mutex
	keep   int
	byTask map[string][]*Task // oldest first

	wentOn, ended atomic.Uint64 // conversations whose version was not kept
}

// NewTaskVersions returns an empty store that keeps keep versions of each
// task (DefaultKeepTaskVersions when keep < 1).
func NewTaskVersions(keep int) *TaskVersions {
	if keep < 1 {
		keep = DefaultKeepTaskVersions
	}
	return &TaskVersions{keep: keep, byTask: map[string][]*Task{}}
}

// Add records the versions of b's tasks. A version already kept is moved
// to the newest place, so that going back to an earlier file keeps it.
func (v *TaskVersions) Add(b *Bot) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for name, task := range b.Tasks {
		if task.Version == "" {
			continue
		}
		list := v.byTask[name]
		for i, old := range list {
			if old.Version == task.Version {
				list = append(list[:i:i], list[i+1:]...)
				break
			}
		}
		list = append(list, task)
		if len(list) > v.keep {
			list = append([]*Task(nil), list[len(list)-v.keep:]...)
		}
		v.byTask[name] = list
	}
}

// Lookup returns the kept version of task name, or nil.
func (v *TaskVersions) Lookup(name, version string) *Task {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, t := range v.byTask[name] {
		if t.Version == version {
			return t
		}
	}
	return nil
}

// Count returns how many versions of task name are kept.
func (v *TaskVersions) Count(name string) int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.byTask[name])
}

// Misses returns how many conversations found their task's version not
// kept: those that went on with the current version, and those whose task
// ended because the node they waited at is gone.
func (v *TaskVersions) Misses() (wentOn, ended uint64) {
	return v.wentOn.Load(), v.ended.Load()
}

// taskOf returns the definition the conversation's running task runs on:
// the version it started with when that is kept, else the current one if
// the node it waits at still exists there (the conversation then moves to
// the current version), else nil: the task cannot go on.
func (r *Runtime) taskOf(st *state) *Task {
	cur := r.bot.Tasks[st.Task]
	if st.TV == "" || cur != nil && cur.Version == st.TV {
		return cur // a state stored before tasks had versions, or current
	}
	if old := r.versions.Lookup(st.Task, st.TV); old != nil {
		return old
	}
	if cur != nil && cur.Nodes[st.Node] != nil {
		r.log.Info("task version not kept here; going on with the current one", "conversation", st.ID, "task", st.Task, "version", st.TV, "current", cur.Version)
		st.TV = cur.Version
		r.versions.wentOn.Add(1)
		return cur
	}
	r.versions.ended.Add(1)
	return nil
}

// taskChanged ends a running task whose definition changed so that the
// conversation cannot go on in it (taskOf returned nil): the user is told
// and offered the tasks.
func (r *Runtime) taskChanged(ctx context.Context, st *state, t *nodes.Turn) {
	r.log.WarnContext(ctx, "task changed under a conversation and its version is not kept; ending the task", "conversation", st.ID, "task", st.Task, "version", st.TV, "node", st.Node)
	title := r.taskTitle(t, st.Task)
	r.finishTask(st, nodes.Canceled)
	t.Say(nodes.Reply{Text: t.Phrase("task_changed", title), Buttons: r.taskButtons(t, true)})
}
