package main

import (
	"github.com/botforge/dialogd/dialog"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/web"
)

// demoPageBot is what botd's demo page at "/" shows about bot, the bot /ws
// serves without ?bot=: its name, its description and its tasks' titles in
// its first language.
func demoPageBot(bot *dialog.Bot) web.DemoBot {
	info := web.DemoBot{Name: bot.Config.Name, Description: bot.Config.Description, Lang: "en"}
	if len(bot.Config.Languages) > 0 {
		info.Lang = bot.Config.Languages[0]
	}
	turn := &nodes.Turn{Lang: info.Lang}
	for _, name := range bot.TaskNames() {
		title := name
		if tt := bot.Tasks[name].Title; tt != nil {
			if s, err := tt.Render(turn); err == nil && s != "" {
				title = s
			}
		}
		info.Tasks = append(info.Tasks, title)
	}
	return info
}
