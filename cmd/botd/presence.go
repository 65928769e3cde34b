package main

import (
	"fmt"
	"path"

	"github.com/botforge/dialogd/desk"
	"github.com/botforge/dialogd/desk/presence"
	"github.com/botforge/dialogd/desk/sfapi"
	"github.com/botforge/dialogd/dialog"
)

// openPresence builds the presence sync of a desk whose configuration has
// a presence: section; tn.presence stays nil otherwise.
func (s *server) openPresence(bot *dialog.Bot, tn *tenant, cfg *desk.Config, d *desk.Desk) error {
	if cfg.Presence.Kind == 0 {
		return nil // no desk.presence
	}
	name := bot.Config.Name
	file := path.Join(bot.Dir, "bot.yaml")
	pc, err := presence.Decode(&cfg.Presence, file, presence.KnownOf(cfg))
	if err != nil || pc == nil {
		return err
	}
	if cfg.Salesforce == "" || tn.auth == nil {
		return fmt.Errorf("%s: desk.presence needs desk.salesforce, the auth profile of the Salesforce org", file)
	}
	shared := presence.NewLocal()
	if s.rdb != nil {
		shared = presence.NewRedis(s.rdb, "dialogd:presence:"+name+":")
	}
	if s.presenceMetrics == nil {
		s.presenceMetrics = presence.NewMetrics(s.reg)
	}
	tn.presence, err = presence.New(presence.Options{
		Bot: name, Config: pc, Desk: d, Shared: shared, Metrics: s.presenceMetrics, Logger: s.log,
		Salesforce: presence.SFClient{C: &sfapi.Client{Auth: tn.auth, Profile: cfg.Salesforce, HTTP: s.serviceHC}},
	})
	return err
}

// presenceBehind lists the bots whose presence sync is behind.
func (s *server) presenceBehind() []string {
	var out []string
	for name, tn := range s.tenants {
		if tn.presence != nil && tn.presence.Status().Behind {
			out = append(out, name)
		}
	}
	return out
}
