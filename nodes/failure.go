package nodes

// Failure is the kind of failure that ended a task, or that sent the
// dialog down a node's error branch (on_error, on_timeout, on_fail). The
// host picks what the user hears by it: the node's own text, the node's
// failure_text, the bot's text for the kind (bot.yaml events.failures),
// the bot's text for every failure, and last the built-in phrase
// failure.<kind>.
type Failure string

// Failure kinds a user can meet.
const (
	// FailInternal: a node could not run (a text that does not render, an
	// undeclared transition); also the kind of a bare [Fail].
	FailInternal Failure = "internal_error"
	// FailService: a service call failed (transport error, timeout,
	// non-2xx answer, a response too large).
	FailService Failure = "service_error"
	// FailReconnect: a bot-wide credential stopped working and only an
	// administrator can restore it.
	FailReconnect Failure = "reconnect_required"
	// FailScript: an expression of a script or logic node failed.
	FailScript Failure = "script_error"
	// FailLoop: the dialog visited more nodes in one turn than allowed.
	FailLoop Failure = "loop"
	// FailRetries: the user's answers stayed unclear after every retry.
	FailRetries Failure = "retries_exhausted"
	// FailDenied: the user refused to grant access to a service.
	FailDenied Failure = "authorization_denied"
	// FailExpired: the user did not grant access before the link expired.
	FailExpired Failure = "link_expired"
)

// Failures lists every failure kind, in the order of the documentation.
func Failures() []Failure {
	return []Failure{FailService, FailReconnect, FailScript, FailRetries, FailLoop, FailDenied, FailExpired, FailInternal}
}

// PhraseKey is the key of the kind's built-in text.
func (f Failure) PhraseKey() string {
	if f == "" {
		f = FailInternal
	}
	return "failure." + string(f)
}

// Recovered is the end reason of a task that took an error branch
// (on_error, on_timeout, on_fail) and then ended normally: the designer
// handled the failure, so it is neither fulfilled nor failed.
const Recovered Reason = "recovered"

// FailWith ends the task as failed with a kind of failure. msg is the
// node's own text for it (a designer's fail_message, say); empty lets the
// host choose by kind.
func FailWith(kind Failure, msg string) Outcome {
	return Outcome{Status: StatusEnd, Reason: Failed, Failure: kind, Message: msg}
}

// FailTold ends the task as failed with a kind of failure that the node
// has explained itself (its reply says why, with buttons, say): the host
// says nothing more.
func FailTold(kind Failure) Outcome {
	return Outcome{Status: StatusEnd, Reason: Failed, Failure: kind, Told: true}
}

// Recover goes to a node's error branch after a failure of the given
// kind. The task goes on; if it ends normally, it ends as [Recovered].
func Recover(target Target, kind Failure) Outcome {
	out := GoTo(target)
	out.Failure = kind
	return out
}

// renderOptional renders a designer's text; a zero Text renders to "",
// which leaves the choice to the host.
func renderOptional(t *Turn, x Text) (string, error) {
	if x.IsZero() {
		return "", nil
	}
	return x.Render(t)
}
