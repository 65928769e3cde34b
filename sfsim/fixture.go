package sfsim

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Fixture is the YAML description an org is seeded from. See demo.yaml for
// a complete example.
type Fixture struct {
	Org              FixtureOrg                  `yaml:"org"`
	Users            []FixtureUser               `yaml:"users"`
	Apps             []FixtureApp                `yaml:"apps"`
	DuplicateRules   []DuplicateRule             `yaml:"duplicateRules"`
	CustomFields     map[string][]CustomField    `yaml:"customFields"`
	PresenceStatuses []FixturePresence           `yaml:"presenceStatuses"`
	Records          map[string][]map[string]any `yaml:"records"`
}

// FixtureOrg is the org section of a fixture.
type FixtureOrg struct {
	ID             string        `yaml:"id"`
	Name           string        `yaml:"name"`
	MyDomain       string        `yaml:"myDomain"`
	SessionTimeout time.Duration `yaml:"sessionTimeout"`
	DailyAPILimit  int           `yaml:"dailyApiLimit"`
}

// FixtureUser is one user of a fixture. Active defaults to true.
type FixtureUser struct {
	ID              string   `yaml:"id"`
	Username        string   `yaml:"username"`
	Password        string   `yaml:"password"`
	SecurityToken   string   `yaml:"securityToken"`
	Email           string   `yaml:"email"`
	FirstName       string   `yaml:"firstName"`
	LastName        string   `yaml:"lastName"`
	Alias           string   `yaml:"alias"`
	Active          *bool    `yaml:"active"`
	TrustedIPRanges []string `yaml:"trustedIPRanges"`
}

// FixtureApp is one connected app of a fixture.
type FixtureApp struct {
	Name                  string   `yaml:"name"`
	ConsumerKey           string   `yaml:"consumerKey"`
	ConsumerSecret        string   `yaml:"consumerSecret"`
	CallbackURLs          []string `yaml:"callbackURLs"`
	Scopes                []string `yaml:"scopes"`
	RequirePKCE           bool     `yaml:"requirePKCE"`
	CertificatePEM        string   `yaml:"certificatePEM"`
	PreApprovedUsers      []string `yaml:"preApprovedUsers"`
	AllowPasswordFlow     bool     `yaml:"allowPasswordFlow"`
	ClientCredentialsUser string   `yaml:"clientCredentialsUser"`
	RotateRefreshTokens   bool     `yaml:"rotateRefreshTokens"`
}

// FixturePresence is a ServicePresenceStatus definition.
type FixturePresence struct {
	DeveloperName string `yaml:"developerName"`
	MasterLabel   string `yaml:"masterLabel"`
}

// CustomField adds a field to a standard object (for example an external id
// used by upsert).
type CustomField struct {
	Name       string   `yaml:"name"` // must end in __c
	Label      string   `yaml:"label"`
	Type       string   `yaml:"type"` // string, email, phone, boolean, double, int, date, datetime, picklist, textarea
	Length     int      `yaml:"length"`
	Required   bool     `yaml:"required"`
	ExternalID bool     `yaml:"externalId"`
	Unique     bool     `yaml:"unique"`
	Values     []string `yaml:"values"` // picklist values
}

func (cf CustomField) validate() error {
	if !strings.HasSuffix(cf.Name, "__c") || len(cf.Name) < 4 {
		return fmt.Errorf("custom field name %q must end in __c", cf.Name)
	}
	switch cf.Type {
	case "string", "email", "phone", "boolean", "double", "int", "date", "datetime", "picklist", "textarea", "url", "currency", "percent":
	default:
		return fmt.Errorf("custom field %s: unsupported type %q", cf.Name, cf.Type)
	}
	return nil
}

// FixtureError reports a problem in a fixture with its location.
type FixtureError struct {
	Path string // e.g. records.Contact[2]
	Msg  string
}

func (e *FixtureError) Error() string { return "fixture " + e.Path + ": " + e.Msg }

//go:embed demo.yaml
var demoYAML []byte

// DemoFixture returns the built-in demo org.
func DemoFixture() (*Fixture, error) { return ParseFixture(demoYAML) }

// LoadFixture reads a fixture file.
func LoadFixture(path string) (*Fixture, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load fixture: %w", err)
	}
	fx, err := ParseFixture(b)
	if err != nil {
		return nil, fmt.Errorf("load fixture %s: %w", path, err)
	}
	return fx, nil
}

// ParseFixture decodes a YAML fixture strictly: unknown keys are errors.
func ParseFixture(b []byte) (*Fixture, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var fx Fixture
	if err := dec.Decode(&fx); err != nil {
		return nil, fmt.Errorf("parse fixture: %w", err)
	}
	return &fx, nil
}

// DemoCredentials are the password-flow credentials of an org's first user
// and first app allowing the password flow, as printed by cmd/sfsim.
type DemoCredentials struct {
	ClientID      string `json:"client_id"`
	ClientSecret  string `json:"client_secret"`
	Username      string `json:"username"`
	Password      string `json:"password"`
	SecurityToken string `json:"security_token"`
}

// Credentials returns the credentials a password-flow client needs: the
// first connected app that allows the password flow and the first active
// user.
func (fx *Fixture) Credentials() (DemoCredentials, error) {
	var c DemoCredentials
	for _, a := range fx.Apps {
		if a.AllowPasswordFlow {
			c.ClientID, c.ClientSecret = a.ConsumerKey, a.ConsumerSecret
			break
		}
	}
	for _, u := range fx.Users {
		if u.Active == nil || *u.Active {
			c.Username, c.Password, c.SecurityToken = u.Username, u.Password, u.SecurityToken
			break
		}
	}
	if c.ClientID == "" || c.Username == "" {
		return c, errors.New("fixture has no password-flow app or no active user")
	}
	return c, nil
}

// seed builds the org, schema and records from fx.
func (s *Server) seed(fx *Fixture) error {
	orgID := fx.Org.ID
	if orgID == "" {
		orgID = "00D5g000004XyZ1"
	}
	oid, err := canonicalID(orgID)
	if err != nil || prefixOf(oid) != prefixOrg {
		return &FixtureError{Path: "org.id", Msg: fmt.Sprintf("%q is not an organisation id (00D…)", orgID)}
	}
	org := &Org{ID: oid, Name: fx.Org.Name, MyDomain: fx.Org.MyDomain, SessionTimeout: fx.Org.SessionTimeout,
		DailyAPILimit: fx.Org.DailyAPILimit, DuplicateRules: fx.DuplicateRules}
	if org.SessionTimeout == 0 {
		org.SessionTimeout = 2 * time.Hour
	}
	if org.DailyAPILimit == 0 {
		org.DailyAPILimit = 15000
	}
	for i := range org.DuplicateRules {
		r := &org.DuplicateRules[i]
		if r.Name == "" {
			r.Name = "Standard_" + r.Object + "_Duplicate_Rule"
		}
	}
	sc, err := newSchema(fx.CustomFields)
	if err != nil {
		return err
	}
	for i, r := range org.DuplicateRules {
		o := sc.object(r.Object)
		if o == nil || o.field(r.Field) == nil {
			return &FixtureError{Path: fmt.Sprintf("duplicateRules[%d]", i), Msg: fmt.Sprintf("unknown field %s.%s", r.Object, r.Field)}
		}
		org.DuplicateRules[i].Object = o.Name
		org.DuplicateRules[i].Field = o.field(r.Field).Name
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.org = org
	s.db = newStore(sc)
	s.custom = fx.CustomFields
	now := s.now()
	for i, fu := range fx.Users {
		path := fmt.Sprintf("users[%d]", i)
		if fu.Username == "" {
			return &FixtureError{Path: path, Msg: "username is required"}
		}
		u := &User{ID: fu.ID, Username: fu.Username, Password: fu.Password, SecurityToken: fu.SecurityToken, Email: fu.Email,
			FirstName: fu.FirstName, LastName: fu.LastName, Alias: fu.Alias, Active: fu.Active == nil || *fu.Active,
			TrustedIPRanges: fu.TrustedIPRanges}
		if u.ID == "" {
			u.ID = s.nextID(prefixUser)
		} else if u.ID, err = canonicalID(u.ID); err != nil || prefixOf(u.ID) != prefixUser {
			return &FixtureError{Path: path + ".id", Msg: "not a user id (005…)"}
		}
		if u.LastName == "" {
			u.LastName = u.Username
		}
		if u.Alias == "" {
			u.Alias = strings.ToLower(u.LastName)
			if len(u.Alias) > 8 {
				u.Alias = u.Alias[:8]
			}
		}
		if s.userByUsernameLocked(u.Username) != nil {
			return &FixtureError{Path: path, Msg: "duplicate username " + u.Username}
		}
		org.Users = append(org.Users, u)
		s.putUserRecordLocked(u, now)
	}
	if len(org.Users) == 0 {
		return &FixtureError{Path: "users", Msg: "at least one user is required"}
	}
	for i, fa := range fx.Apps {
		if fa.ConsumerKey == "" {
			return &FixtureError{Path: fmt.Sprintf("apps[%d]", i), Msg: "consumerKey is required"}
		}
		org.Apps = append(org.Apps, &ConnectedApp{Name: fa.Name, ConsumerKey: fa.ConsumerKey, ConsumerSecret: fa.ConsumerSecret,
			CallbackURLs: fa.CallbackURLs, Scopes: fa.Scopes, RequirePKCE: fa.RequirePKCE, CertificatePEM: fa.CertificatePEM,
			PreApprovedUsers: fa.PreApprovedUsers, AllowPasswordFlow: fa.AllowPasswordFlow,
			ClientCredentialsUser: fa.ClientCredentialsUser, RotateRefreshTokens: fa.RotateRefreshTokens})
	}
	admin := org.Users[0]
	for i, st := range []struct {
		label     string
		def, conv bool
	}{{leadStatusDefault, true, false}, {"Working - Contacted", false, false}, {leadStatusConverted, false, true}, {"Closed - Not Converted", false, false}} {
		s.systemInsertLocked("LeadStatus", map[string]any{"MasterLabel": st.label, "ApiName": st.label, "SortOrder": float64(i + 1),
			"IsDefault": st.def, "IsConverted": st.conv}, admin)
	}
	for _, p := range fx.PresenceStatuses {
		lbl := p.MasterLabel
		if lbl == "" {
			lbl = p.DeveloperName
		}
		s.systemInsertLocked("ServicePresenceStatus", map[string]any{"DeveloperName": p.DeveloperName, "MasterLabel": lbl, "Language": "en_US"}, admin)
	}
	// Records: objects in a fixed order so references to earlier objects resolve.
	refs := map[string]string{}
	order := []string{"Account", "Contact", "Lead", "Campaign", "Opportunity", "Case", "Task", "ServicePresenceStatus"}
	seen := map[string]bool{}
	for name := range fx.Records {
		o := sc.object(name)
		if o == nil {
			return &FixtureError{Path: "records." + name, Msg: "unknown object"}
		}
		found := false
		for _, n := range order {
			if n == o.Name {
				found = true
			}
		}
		if !found {
			return &FixtureError{Path: "records." + name, Msg: "records of this object cannot be seeded"}
		}
	}
	keys := make([]string, 0, len(fx.Records))
	for k := range fx.Records {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, on := range order {
		for _, k := range keys {
			if !strings.EqualFold(k, on) || seen[k] {
				continue
			}
			seen[k] = true
			for i, rec := range fx.Records[k] {
				path := fmt.Sprintf("records.%s[%d]", k, i)
				body := map[string]any{}
				ref := ""
				for fk, fv := range rec {
					if fk == "_ref" {
						ref = fmt.Sprint(fv)
						continue
					}
					if sv, ok := fv.(string); ok && strings.HasPrefix(sv, "@") {
						id, ok := refs[sv[1:]]
						if !ok {
							return &FixtureError{Path: path + "." + fk, Msg: "unknown reference " + sv}
						}
						fv = id
					}
					body[fk] = yamlValue(fv)
				}
				id, aerr := s.createLocked(sc.object(on), body, writeOpts{user: admin, allowDuplicates: true})
				if aerr != nil {
					return &FixtureError{Path: path, Msg: aerr.Error()}
				}
				if ref != "" {
					refs[ref] = id
				}
			}
		}
	}
	return nil
}

// yamlValue converts YAML-decoded scalars to the JSON-like values records use.
func yamlValue(v any) any {
	switch x := v.(type) {
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case uint64:
		return float64(x)
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format("2006-01-02")
		}
		return formatDateTime(x)
	}
	return v
}

func (s *Server) userByUsernameLocked(name string) *User {
	for _, u := range s.org.Users {
		if strings.EqualFold(u.Username, name) {
			return u
		}
	}
	return nil
}

// putUserRecordLocked mirrors u into the User object.
func (s *Server) putUserRecordLocked(u *User, now time.Time) {
	t := s.db.table("User")
	f := map[string]any{"Username": u.Username, "Email": nilIfEmpty(u.Email), "FirstName": nilIfEmpty(u.FirstName),
		"LastName": u.LastName, "Name": u.Name(), "Alias": u.Alias, "IsActive": u.Active, "TimeZoneSidKey": "America/Los_Angeles"}
	if r := t.get(u.ID); r != nil {
		t.update(r, f)
		return
	}
	ts := formatDateTime(now)
	f["Id"], f["IsDeleted"], f["CreatedDate"], f["LastModifiedDate"], f["SystemModstamp"] = u.ID, false, ts, ts, ts
	f["CreatedById"], f["LastModifiedById"] = u.ID, u.ID
	if len(s.org.Users) > 0 {
		f["CreatedById"], f["LastModifiedById"] = s.org.Users[0].ID, s.org.Users[0].ID
	}
	t.insert(f)
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Credentials returns the password-flow credentials of the running org: the
// first connected app that allows the password flow and the first active
// user.
func (s *Server) Credentials() (DemoCredentials, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var c DemoCredentials
	for _, a := range s.org.Apps {
		if a.AllowPasswordFlow {
			c.ClientID, c.ClientSecret = a.ConsumerKey, a.ConsumerSecret
			break
		}
	}
	for _, u := range s.org.Users {
		if u.Active {
			c.Username, c.Password, c.SecurityToken = u.Username, u.Password, u.SecurityToken
			break
		}
	}
	if c.ClientID == "" || c.Username == "" {
		return c, errors.New("org has no password-flow app or no active user")
	}
	return c, nil
}
