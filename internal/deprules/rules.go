package deprules

// Module is the import path prefix of this module's packages.
const Module = "github.com/botforge/dialogd/"

// Rule is what the packages of one directory (and every directory under
// it) may depend on, directly or through other packages. A package's own
// directory subtree is always allowed. Every rule covering a package
// applies to it.
type Rule struct {
	Dir        string            // module-relative directory, e.g. "channels" or "sfsim/soql"
	Allow      []string          // other directories of this module it may depend on
	AnyModule  bool              // it may depend on every package of this module (the commands)
	StdlibOnly bool              // no dependency outside the standard library and its own subtree
	Forbidden  map[string]string // import path → why it is not allowed
	Why        string            // the rule in words, given with each violation
}

// Rules is the dependency table of the module: dependencies point one way,
// from the commands down to nodes, sessions, web and sfsim.
var Rules = []Rule{
	{Dir: "nodes", Why: "nodes imports nothing else of this module"},
	{Dir: "sessions", Why: "sessions imports nothing else of this module and has no business with HTTP",
		Forbidden: map[string]string{"net/http": "sessions talks to Redis only; HTTP belongs to channels and services"}},
	{Dir: "web", Why: "web is static assets only"},
	{Dir: "sfsim", Why: "sfsim, the Salesforce emulator, imports nothing else of this module"},
	{Dir: "sfsim/soql", StdlibOnly: true, Why: "soql uses the standard library only, so sfsim can import it and nothing leaks the other way"},
	{Dir: "channels", Allow: []string{"nodes"}, Why: "channels talks to the runtime only through Conversations (nodes for the Input type)",
		Forbidden: map[string]string{"github.com/redis/go-redis/v9": "the channel holds no state of its own"}},
	{Dir: "auth", Allow: []string{"nodes", "sessions"}, Why: "auth may import only nodes and sessions of this module"},
	{Dir: "dialog", Allow: []string{"nodes", "sessions", "auth"}, Why: "dialog may import only nodes, sessions and auth of this module"},
	{Dir: "dialog/nlu", Why: "the intent classifier imports nothing else of this module (golang.org/x/text for Unicode normalisation), so dialog and botctl can both use it",
		Forbidden: map[string]string{"net": "the classifier is embedded: no network, no model download", "runtime/cgo": "the classifier is pure Go"}},
	{Dir: "templates", Allow: []string{"dialog", "nodes", "sessions", "auth"}, Why: "templates sits above dialog and below the commands"},
	{Dir: "examples", Why: "examples are bot files, embedded"},
	{Dir: "internal/deprules", StdlibOnly: true, Why: "internal test helpers use the standard library only"},
	{Dir: "internal/testkeys", StdlibOnly: true, Why: "internal test helpers use the standard library only"},
	{Dir: "internal/sections", Allow: []string{"dialog", "desk", "nodes", "sessions", "auth"},
		Why: "the checks of bot.yaml's desk: and directory: sections sit above dialog and the desk, below the commands"},
	{Dir: "internal/golden", StdlibOnly: true, Why: "internal test helpers use the standard library only"},
	{Dir: "internal/metrictest", Why: "the metrics test helper reads a Prometheus registry and imports nothing else of this module"},
	{Dir: "internal/salesforcetest", Allow: []string{"auth", "sessions", "sfsim", "nodes", "dialog"},
		Why: "the Salesforce test helper starts sfsim with an auth manager and gives its data API as the conversation tests' client (dialog/convtest), and nothing else"},
	{Dir: "nodes/salesforce", Allow: []string{"nodes"}, Why: "an integration's node package builds on package nodes only"},
	{Dir: "desk", Allow: []string{"nodes", "auth", "sessions"}, Why: "the desk talks to the dialog runtime only through interfaces (Users, and the runtime's Handoffs that it implements); nodes for the decoder, auth (and what auth imports) for secret references"},
	{Dir: "desk/sfapi", Allow: []string{"nodes"}, Why: "the desk's Salesforce client needs only the auth interfaces of nodes"},
	{Dir: "desk/directory", Allow: []string{"nodes", "desk/sfapi", "desk/internal/rediskeys"}, Why: "the customer directory imports through sfapi and serves nodes.Directory, nothing else"},
	{Dir: "desk/presence", Allow: []string{"desk", "desk/sfapi", "nodes", "auth", "sessions"}, Why: "presence sync sits between the desk (and what the desk imports) and Salesforce through sfapi"},
	{Dir: "cmd", AnyModule: true, Why: "only the commands import everything"},
}
