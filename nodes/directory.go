package nodes

import "context"

// Directory is the bot's customer directory: people imported from the CRM
// (package desk/directory implements it) that the directory_lookup node
// searches before a task asks the CRM itself. Nil on a [Turn] means the
// bot has none.
type Directory interface {
	// Lookup returns at most limit records whose key by (one of
	// DirectoryByEmail, DirectoryByPhone, DirectoryByName) matches value
	// once normalised (e-mail case, phone punctuation, name case, spacing
	// and word order).
	Lookup(ctx context.Context, by, value string, limit int) ([]DirectoryRecord, error)
}

// Keys a Directory is searched by.
const (
	DirectoryByEmail = "email"
	DirectoryByPhone = "phone"
	DirectoryByName  = "name"
)

// DirectoryRecord is one customer of a Directory. Everything but ID and
// Object is personal data: never log it.
type DirectoryRecord struct {
	ID      string // the CRM record id
	Object  string // the CRM object: Lead, Contact or Account
	Name    string // full name
	Company string // a Lead's company, a Contact's account name, an Account's name
	// AccountID is a Contact's AccountId or an Account's own Id ("" for
	// a Lead).
	AccountID string
	Email     string   // may be empty
	Phones    []string // as written in the CRM, main phone first
}
