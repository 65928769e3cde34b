package dialog

// RetrainClassifier trains the bot's intent classifier again with s in
// place of bot.yaml's settings.nlu, as botctl nlu test does when its
// -threshold or -tie-margin flags override the bot's own settings. A zero
// field of s keeps the classifier's default. It is meant for a bot that is
// not yet serving: Classify must not run during the call.
func (b *Bot) RetrainClassifier(s NLUSettings) error {
	b.Config.Settings.NLU = s
	b.classifier = nil
	return b.trainClassifier()
}
