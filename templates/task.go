package templates

import (
	"fmt"

	"github.com/botforge/dialogd/dialog"
)

// LoadTask renders the template with params and returns the task as a
// bot loads it (with the minimal bot renders are checked with): for
// showing its flow without installing it.
func (t *Template) LoadTask(params map[string]string) (*dialog.Task, error) {
	name, file, err := t.render(params)
	if err != nil {
		return nil, err
	}
	bot, err := loadWith(name, file)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", t.Name, err)
	}
	return bot.Tasks[name], nil
}
