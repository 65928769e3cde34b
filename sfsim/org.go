package sfsim

import (
	"strings"
	"time"
)

// Org is the emulated Salesforce organisation: identity, policy and the
// principals that may log in. Records live in the server's record store.
type Org struct {
	ID             string        // 18-character organisation id (prefix 00D)
	Name           string        // company name
	MyDomain       string        // host name such as acme.my.salesforce.com; client_credentials only works there
	SessionTimeout time.Duration // lifetime of an access token
	DailyAPILimit  int           // DailyApiRequests maximum
	Users          []*User
	Apps           []*ConnectedApp
	DuplicateRules []DuplicateRule
}

// User is a person or integration account that can authenticate.
type User struct {
	ID            string // 18-character id (prefix 005)
	Username      string
	Password      string
	SecurityToken string
	Email         string
	FirstName     string
	LastName      string
	Alias         string
	Active        bool
	// TrustedIPRanges lists CIDRs of the user's profile. A login from an
	// address inside one of them needs no security token; from outside, the
	// password must have the security token appended. Empty means no trusted
	// range, so the token is always required.
	TrustedIPRanges []string
}

// Name is the user's display name, "First Last".
func (u *User) Name() string {
	return strings.TrimSpace(u.FirstName + " " + u.LastName)
}

// ConnectedApp is an OAuth client registered in the org.
type ConnectedApp struct {
	Name                  string
	ConsumerKey           string
	ConsumerSecret        string
	CallbackURLs          []string
	Scopes                []string // scopes the app may be granted
	RequirePKCE           bool
	CertificatePEM        string   // X.509 certificate for the JWT bearer flow
	PreApprovedUsers      []string // usernames approved by an admin (JWT bearer, no consent page)
	AllowPasswordFlow     bool
	ClientCredentialsUser string // username the client_credentials flow runs as; empty disables the flow
	RotateRefreshTokens   bool
}

// DuplicateRule blocks a create or update whose Field value equals (case
// insensitively) the value of an existing live record of the same Object.
type DuplicateRule struct {
	Object string // Lead or Contact
	Field  string // Email
	Name   string // rule developer name, e.g. Standard_Lead_Duplicate_Rule
}

// userByUsername finds a user case-insensitively. It takes the read lock.
func (s *Server) userByUsername(name string) *User {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, u := range s.org.Users {
		if strings.EqualFold(u.Username, name) {
			return u
		}
	}
	return nil
}

// userByID finds a user by its 15- or 18-character id. It takes the read lock.
func (s *Server) userByID(id string) *User {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.userByIDLocked(id)
}

// appByKey finds a connected app by its consumer key (exact match). It takes
// the read lock.
func (s *Server) appByKey(consumerKey string) *ConnectedApp {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, a := range s.org.Apps {
		if a.ConsumerKey == consumerKey {
			return a
		}
	}
	return nil
}
