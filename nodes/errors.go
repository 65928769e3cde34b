package nodes

import (
	"errors"
	"fmt"
)

// ErrAuthorizationRequired is wrapped by errors that mean the user has to
// grant access before a call can be made.
var ErrAuthorizationRequired = errors.New("authorization required")

// AuthorizationRequiredError asks the runtime to park the dialog and send the
// user an authorize link.
type AuthorizationRequiredError struct {
	Profile string // auth profile name
	URL     string // where the user grants access
	Text    string // what the card says
}

func (e *AuthorizationRequiredError) Error() string {
	return fmt.Sprintf("profile %s: %v", e.Profile, ErrAuthorizationRequired)
}

// Unwrap lets errors.Is find ErrAuthorizationRequired.
func (e *AuthorizationRequiredError) Unwrap() error { return ErrAuthorizationRequired }
