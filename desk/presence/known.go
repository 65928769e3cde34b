package presence

import "github.com/botforge/dialogd/desk"

// KnownOf is what presence rules may name in the desk cfg configures.
func KnownOf(cfg *desk.Config) Known {
	k := Known{Agents: map[string][]string{}}
	for _, t := range cfg.Teams {
		k.Teams = append(k.Teams, t.Name)
	}
	for _, a := range cfg.Agents {
		k.Agents[a.ID] = a.Teams
	}
	for _, r := range cfg.Reasons {
		k.Reasons = append(k.Reasons, r.Code)
	}
	return k
}
