package nodes

import (
	"errors"
	"fmt"
)

// ErrAuthorizationRequired is wrapped by errors that mean the user has to
// grant access before a call can be made.
var ErrAuthorizationRequired = errors.New("authorization required")

// ErrReconnectRequired is wrapped by errors that mean a bot-wide
// credential stopped working and only an administrator can restore it
// (a pre-authorized profile whose refresh was refused). The service node
// tells the user so instead of reporting a bare failure.
var ErrReconnectRequired = errors.New("an administrator must reconnect the credential")

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
