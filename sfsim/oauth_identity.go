package sfsim

import (
	"net/http"
	"strings"
)

// Identity-service errors: plain-text bodies, as the identity URL and
// userinfo endpoints answer (UNCONFIRMED wording; see DECISIONS-C.md).
const (
	identityBadToken = "Bad_OAuth_Token"
	identityWrongOrg = "Wrong_Org"
	identityBadID    = "Bad_Id"
)

// identityURLs is the urls object of the identity and userinfo responses.
type identityURLs struct {
	Enterprise  string `json:"enterprise"`
	Metadata    string `json:"metadata"`
	Partner     string `json:"partner"`
	Rest        string `json:"rest"`
	Sobjects    string `json:"sobjects"`
	Search      string `json:"search"`
	Query       string `json:"query"`
	Recent      string `json:"recent"`
	ToolingSOAP string `json:"tooling_soap"`
	ToolingRest string `json:"tooling_rest"`
	Profile     string `json:"profile"`
}

type identityPhotos struct {
	Picture   string `json:"picture"`
	Thumbnail string `json:"thumbnail"`
}

// identityBody is GET /id/<orgId>/<userId>.
type identityBody struct {
	ID               string         `json:"id"`
	AssertedUser     bool           `json:"asserted_user"`
	UserID           string         `json:"user_id"`
	OrganizationID   string         `json:"organization_id"`
	Username         string         `json:"username"`
	NickName         string         `json:"nick_name"`
	DisplayName      string         `json:"display_name"`
	Email            string         `json:"email"`
	EmailVerified    bool           `json:"email_verified"`
	FirstName        string         `json:"first_name"`
	LastName         string         `json:"last_name"`
	Timezone         string         `json:"timezone"`
	Photos           identityPhotos `json:"photos"`
	AddrStreet       *string        `json:"addr_street"`
	AddrCity         *string        `json:"addr_city"`
	AddrState        *string        `json:"addr_state"`
	AddrCountry      *string        `json:"addr_country"`
	AddrZip          *string        `json:"addr_zip"`
	MobilePhone      *string        `json:"mobile_phone"`
	MobileVerified   bool           `json:"mobile_phone_verified"`
	IsLightning      bool           `json:"is_lightning_login_user"`
	Status           map[string]any `json:"status"`
	URLs             identityURLs   `json:"urls"`
	Active           bool           `json:"active"`
	UserType         string         `json:"user_type"`
	Language         string         `json:"language"`
	Locale           string         `json:"locale"`
	UTCOffset        int            `json:"utcOffset"`
	LastModifiedDate string         `json:"last_modified_date"`
}

// userinfoBody is GET /services/oauth2/userinfo (OpenID Connect).
type userinfoBody struct {
	Sub               string         `json:"sub"`
	UserID            string         `json:"user_id"`
	OrganizationID    string         `json:"organization_id"`
	PreferredUsername string         `json:"preferred_username"`
	Nickname          string         `json:"nickname"`
	Name              string         `json:"name"`
	Email             string         `json:"email"`
	EmailVerified     bool           `json:"email_verified"`
	GivenName         string         `json:"given_name"`
	FamilyName        string         `json:"family_name"`
	Zoneinfo          string         `json:"zoneinfo"`
	Photos            identityPhotos `json:"photos"`
	Profile           string         `json:"profile"`
	Picture           string         `json:"picture"`
	Address           map[string]any `json:"address"`
	IntegrationUser   bool           `json:"is_salesforce_integration_user"`
	URLs              identityURLs   `json:"urls"`
	Active            bool           `json:"active"`
	UserType          string         `json:"user_type"`
	Language          string         `json:"language"`
	Locale            string         `json:"locale"`
	UTCOffset         int            `json:"utcOffset"`
	UpdatedAt         string         `json:"updated_at"`
}

// serveIdentity handles the identity URL /id/<orgId>/<userId>, authorised by
// a Bearer/OAuth header or the oauth_token parameter.
func (s *Server) serveIdentity(w http.ResponseWriter, r *http.Request) {
	g := s.identityGrant(r)
	if g == nil {
		identityError(w, http.StatusForbidden, identityBadToken)
		return
	}
	parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/id/"), "/"), "/")
	if len(parts) != 2 {
		identityError(w, http.StatusNotFound, identityBadID)
		return
	}
	orgKey, ok1 := idKey(parts[0])
	myOrg, _ := idKey(s.org.ID)
	if !ok1 || orgKey != myOrg {
		identityError(w, http.StatusForbidden, identityWrongOrg)
		return
	}
	u := s.userByID(parts[1])
	if u == nil {
		identityError(w, http.StatusNotFound, identityBadID)
		return
	}
	base := s.instanceURL(r)
	urls := s.identityURLs(base, u, r.URL.Query().Get("version"))
	pic := base + "/profilephoto/005/F"
	body := identityBody{
		ID:               s.identityURL(base, u),
		AssertedUser:     u.ID == g.User.ID,
		UserID:           u.ID,
		OrganizationID:   s.org.ID,
		Username:         u.Username,
		NickName:         u.Alias,
		DisplayName:      u.Name(),
		Email:            u.Email,
		EmailVerified:    true,
		FirstName:        u.FirstName,
		LastName:         u.LastName,
		Timezone:         "GMT",
		Photos:           identityPhotos{Picture: pic, Thumbnail: pic + "/T"},
		Status:           map[string]any{"created_date": nil, "body": nil},
		URLs:             urls,
		Active:           u.Active,
		UserType:         "STANDARD",
		Language:         "en_US",
		Locale:           "en_US",
		LastModifiedDate: formatIdentityTime(g),
	}
	writeJSON(w, http.StatusOK, body)
}

// serveUserinfo is GET or POST /services/oauth2/userinfo for the token's user.
func (s *Server) serveUserinfo(w http.ResponseWriter, r *http.Request) {
	g := s.identityGrant(r)
	if g == nil {
		identityError(w, http.StatusForbidden, identityBadToken)
		return
	}
	u, base := g.User, s.instanceURL(r)
	pic := base + "/profilephoto/005/F"
	writeJSON(w, http.StatusOK, userinfoBody{
		Sub:               s.identityURL(base, u),
		UserID:            u.ID,
		OrganizationID:    s.org.ID,
		PreferredUsername: u.Username,
		Nickname:          u.Alias,
		Name:              u.Name(),
		Email:             u.Email,
		EmailVerified:     true,
		GivenName:         u.FirstName,
		FamilyName:        u.LastName,
		Zoneinfo:          "GMT",
		Photos:            identityPhotos{Picture: pic, Thumbnail: pic + "/T"},
		Profile:           base + "/" + u.ID,
		Picture:           pic,
		Address:           map[string]any{},
		URLs:              s.identityURLs(base, u, r.URL.Query().Get("version")),
		Active:            u.Active,
		UserType:          "STANDARD",
		Language:          "en_US",
		Locale:            "en_US",
		UpdatedAt:         formatIdentityTime(g),
	})
}

// identityGrant resolves the header token or the oauth_token parameter.
func (s *Server) identityGrant(r *http.Request) *Grant {
	tok := bearerToken(r)
	if tok == "" {
		tok = r.URL.Query().Get("oauth_token")
	}
	if tok == "" {
		return nil
	}
	g, err := s.grantForToken(tok)
	if err != nil {
		return nil
	}
	return g
}

// identityURLs fills the urls object; without version the literal
// "{version}" placeholder stays, as on Salesforce.
func (s *Server) identityURLs(base string, u *User, version string) identityURLs {
	if version == "" {
		version = "{version}"
	}
	org15, _ := idKey(s.org.ID)
	data := base + "/services/data/v" + version + "/"
	return identityURLs{
		Enterprise:  base + "/services/Soap/c/" + version + "/" + org15,
		Metadata:    base + "/services/Soap/m/" + version + "/" + org15,
		Partner:     base + "/services/Soap/u/" + version + "/" + org15,
		Rest:        data,
		Sobjects:    data + "sobjects/",
		Search:      data + "search/",
		Query:       data + "query/",
		Recent:      data + "recent/",
		ToolingSOAP: base + "/services/Soap/T/" + version + "/" + org15,
		ToolingRest: data + "tooling/",
		Profile:     base + "/" + u.ID,
	}
}

// formatIdentityTime renders the grant's issue time the way the identity
// service formats dates.
func formatIdentityTime(g *Grant) string {
	return g.IssuedAt.UTC().Format("2006-01-02T15:04:05.000+0000")
}

func identityError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(msg))
}
