package desk

import "time"

// Assignment is a conversation routing gave to an agent.
type Assignment struct {
	Conv  *Conv
	Agent string
}

// route gives waiting conversations to agents, longest-waiting
// conversation first: each to an available agent of one of its queue's
// teams with free capacity, the one idle longest (earliest IdleSince,
// then id). An agent who reaches capacity becomes busy. It returns what
// it assigned.
func (b *Board) route(c *Config, now time.Time, pageTimeout time.Duration) []Assignment {
	var out []Assignment
	for _, conv := range b.waiting("") {
		q := c.queue(conv.Queue)
		best := b.longestIdle(c, q, now, pageTimeout)
		if best == nil {
			continue
		}
		conv.Agent, conv.Assigned = best.Agent, now
		best.Convs = append(best.Convs, conv.ID)
		best.Active = len(best.Convs)
		best.IdleSince = now
		if best.Active >= best.Capacity {
			best.set(Busy, "", OriginRouting, now)
		}
		b.recordWait(now.Sub(conv.Queued))
		out = append(out, Assignment{Conv: conv, Agent: best.Agent})
	}
	return out
}

// longestIdle is the available agent serving q with free capacity who has
// been idle longest, or nil. With a pageTimeout, an agent none of whose
// desk pages was seen for that long (a closed page, a lost network) gets
// nothing.
func (b *Board) longestIdle(c *Config, q *QueueConfig, now time.Time, pageTimeout time.Duration) *AgentStatus {
	var best *AgentStatus
	for i := range c.Agents {
		a := &c.Agents[i]
		st := b.Agents[a.ID]
		if st == nil || st.State != Available || len(st.Convs) >= a.Capacity || !a.serves(q) {
			continue
		}
		if pageTimeout > 0 && now.Sub(st.SeenAt) > pageTimeout {
			continue
		}
		if best == nil || st.IdleSince.Before(best.IdleSince) ||
			st.IdleSince.Equal(best.IdleSince) && st.Agent < best.Agent {
			best = st
		}
	}
	return best
}

// release takes conversation id off the board and frees its agent's
// capacity: a busy agent becomes available again. It returns the
// conversation, or nil when the board does not hold it.
func (b *Board) release(id string, now time.Time) *Conv {
	conv := b.Convs[id]
	if conv == nil {
		return nil
	}
	delete(b.Convs, id)
	if st := b.Agents[conv.Agent]; st != nil {
		for i, x := range st.Convs {
			if x == id {
				st.Convs = append(st.Convs[:i], st.Convs[i+1:]...)
				break
			}
		}
		st.Active = len(st.Convs)
		st.IdleSince = now
		if st.State == Busy && st.Active < st.Capacity {
			st.set(Available, "", OriginRouting, now)
		}
	}
	return conv
}

// canServe reports whether any agent of q's teams could take a
// conversation now.
func (b *Board) canServe(c *Config, q *QueueConfig, now time.Time, pageTimeout time.Duration) bool {
	return b.longestIdle(c, q, now, pageTimeout) != nil
}
