package main

import (
	"fmt"
	"path"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/botforge/dialogd/desk/directory"
	"github.com/botforge/dialogd/desk/sfapi"
	"github.com/botforge/dialogd/dialog"
)

// openDirectory builds the customer directory of a bot whose bot.yaml has
// a directory: section and gives it to the runtime (the directory_lookup
// node); tn.directory stays nil otherwise.
func (s *server) openDirectory(bot *dialog.Bot, tn *tenant, ropts *dialog.Options) error {
	name := bot.Config.Name
	file := path.Join(bot.Dir, "bot.yaml")
	cfg, err := directory.Decode(&bot.Config.Directory, file)
	if err != nil || cfg == nil {
		return err
	}
	if tn.auth == nil {
		return fmt.Errorf("%s: directory.salesforce names an auth profile, and the bot has none", file)
	}
	store := directory.NewMemoryStore()
	if s.rdb != nil {
		store = directory.NewRedisStore(s.rdb, name)
	}
	sf := &sfapi.Client{Auth: tn.auth, Profile: cfg.Salesforce, HTTP: s.serviceHC}
	tn.directory, err = directory.New(name, cfg, sf, directory.Options{Store: store, Logger: s.log,
		Registerer: prometheus.WrapRegistererWith(prometheus.Labels{"bot": name}, s.reg)})
	if err != nil {
		return err
	}
	ropts.Directory = tn.directory
	return nil
}
