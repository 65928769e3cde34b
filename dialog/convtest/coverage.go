package convtest

import "github.com/botforge/dialogd/dialog"

// TaskCoverage is how many of a task's declared exits (dialog.Task.Graph)
// the tests took.
type TaskCoverage struct {
	Task            string
	Taken, Declared int
	// Untaken are the exits no test took, in file order.
	Untaken []NodeExit
}

// NodeExit is a declared exit and the node it leaves.
type NodeExit struct {
	From string
	dialog.Exit
}

// Coverage counts the exits of task that moves (of any tests, any task)
// took. An exit is taken when the dialog moved from its node to its
// target; two exits of one node to the same target are taken together.
func Coverage(task *dialog.Task, moves []Move) TaskCoverage {
	type edge struct{ from, to string }
	taken := map[edge]bool{}
	for _, m := range moves {
		if m.Task == task.Name {
			taken[edge{m.From, m.To}] = true
		}
	}
	c := TaskCoverage{Task: task.Name}
	for _, n := range task.Graph() {
		for _, e := range n.Exits {
			c.Declared++
			if taken[edge{n.ID, e.To}] {
				c.Taken++
			} else {
				c.Untaken = append(c.Untaken, NodeExit{From: n.ID, Exit: e})
			}
		}
	}
	return c
}
