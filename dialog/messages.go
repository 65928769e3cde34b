package dialog

import "github.com/botforge/dialogd/nodes"

// phrase returns the bot's event text when it has one that renders, and
// otherwise the phrase key in the turn's language: the bot's version from
// bot.yaml messages:, or the built-in one (nodes/phrases), with args
// filling its %s placeholders.
func phrase(t *nodes.Turn, event *nodes.Text, key string, args ...any) string {
	if event != nil {
		if s, err := event.Render(t); err == nil && s != "" {
			return s
		}
	}
	return t.Phrase(key, args...)
}
