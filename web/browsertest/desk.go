package browsertest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// DeskTranscriptJS is a JavaScript expression listing the transcript of
// the conversation the agent desk shows as "who name: text" lines, who
// being user, bot, agent or history, "notice: text" for an agent joining
// or leaving and "system: text" for the desk's own lines.
const DeskTranscriptJS = `Array.from(document.querySelectorAll('.conv:not([hidden]) .transcript > .line')).map(l => {
  const who = l.className.replace(/^line line-/, '');
  return who === 'system' || who === 'notice' ? who + ': ' + l.querySelector('.line-text').textContent
    : who + ' ' + l.querySelector('.line-who').textContent + ': ' + l.querySelector('.line-text').textContent;
})`

// DeskChooseState picks value ("available", "unavailable:break", …) in the
// desk's state selector as an agent does: the selection changes, then the
// change event fires.
func DeskChooseState(value string) chromedp.Action[chromedp.Void] {
	js, _ := json.Marshal(value)
	return Script(`(() => { const s = document.querySelector('#state-select'); s.value = ` + string(js) +
		`; s.dispatchEvent(new Event('change')); })()`)
}

// WaitList waits until the JavaScript expression listJS, a list of
// strings, equals want, and fails tb, showing the list, when it does not
// within PollTimeout.
func WaitList(tb testing.TB, ctx context.Context, step, listJS string, want []string) {
	tb.Helper()
	js, _ := json.Marshal(want)
	expr := "JSON.stringify(" + listJS + ") === JSON.stringify(" + string(js) + ")"
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(PollTimeout))); err != nil {
		got, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](listJS))
		tb.Fatalf("%s: got\n\t%s\nwant\n\t%s\n(%v)", step, strings.Join(got, "\n\t"), strings.Join(want, "\n\t"), err)
	}
}
