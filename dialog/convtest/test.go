package convtest

import "strconv"

// Test is one scripted conversation.
type Test struct {
	Name string `yaml:"name,omitempty"`
	// Params are template parameter values for this test, on top of the
	// defaults (template tests only: a bot's installed task is already
	// rendered, so botctl test skips a test whose values differ from the
	// ones the task was installed with).
	Params map[string]string `yaml:"params,omitempty"`
	// Identity, when set, is who the tester is, as a channel would have
	// established it (identity.* in the context); by default the tester
	// is anonymous.
	Identity *Identity `yaml:"identity,omitempty"`
	// Given is what the Salesforce org holds before the conversation,
	// besides its demo data.
	Given *Given `yaml:"given,omitempty"`
	// SignedIn false starts the tester without the authorizations of the
	// bot's per_user profiles: their first call answers with an
	// authorize frame, until a turn signs in. Default true.
	SignedIn *bool  `yaml:"signed_in,omitempty"`
	Turns    []Turn `yaml:"conversation"`
}

// Identity is the identity a test conversation runs under: the claims of
// a host site's signed identity token when Verified.
type Identity struct {
	Subject  string `yaml:"subject,omitempty"`
	Name     string `yaml:"name,omitempty"`
	Email    string `yaml:"email,omitempty"`
	Phone    string `yaml:"phone,omitempty"`
	Verified bool   `yaml:"verified,omitempty"`
}

// Given seeds the org before the first turn.
type Given struct {
	// Records are created in the org, by object name in the order
	// written: {Lead: [{FirstName: Ann, LastName: Doe, Company: Acme}]}.
	Records map[string][]map[string]any `yaml:"records"`
}

// Turn is one user message, typed (say) or a button pressed (click), and
// what must hold afterwards. Every expectation it sets must hold.
type Turn struct {
	Say string `yaml:"say,omitempty"`
	// Click presses the button or quick reply with this title among the
	// previous turn's replies: its payload is sent, as the widget does.
	Click string `yaml:"click,omitempty"`
	// SignIn completes (grant) or refuses (deny) the authorization an
	// authorize frame asked for, as the provider's redirect to botd's
	// /oauth/callback does: the parked dialog goes on.
	SignIn string `yaml:"sign_in,omitempty"`
	// Expect is a substring of the turn's replies (their texts joined by
	// newlines), or a regular expression written /like this/.
	Expect string `yaml:"expect,omitempty"`
	// Kind names what the answer must include, in the protocol's words:
	// a frame type (message, authorize, handoff), a part of a message
	// frame (card, buttons, quick_replies, link) or error (the turn was
	// refused with an error frame). Several are written "card, buttons".
	Kind string `yaml:"kind,omitempty"`
	// Context are values the conversation's context must hold after the
	// turn, by path (entities.email, create_lead.id, conversation.x):
	// equal, or matching a /regular expression/; null means unset.
	Context *Values `yaml:"context,omitempty"`
	// Records is a query the org must answer with the rows given (or as
	// many rows as Count says) after the turn.
	Records *RecordsCheck `yaml:"records,omitempty"`
}

// Values are expected values by name: a field or a context path.
type Values map[string]any

// RecordsCheck is a SOQL query and what it must return.
type RecordsCheck struct {
	SOQL string `yaml:"soql"`
	// Rows are the rows the query must return, in any order, each given
	// by the fields that matter (equal, or /regular expression/);
	// returning more rows than listed fails.
	Rows []Values `yaml:"rows,omitempty"`
	// Count, instead of Rows, is how many rows it must return.
	Count *int `yaml:"count,omitempty"`
}

// DisplayName is the test's name, or #n (1-based) when it has none.
func (tc *Test) DisplayName(index int) string {
	if tc.Name != "" {
		return tc.Name
	}
	return "#" + strconv.Itoa(index+1)
}
