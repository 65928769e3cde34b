package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"golang.org/x/oauth2/jwt"
)

// GrantError is a refusal by the token endpoint (an OAuth error response),
// as opposed to a transport failure. Code is the OAuth error code, such as
// invalid_grant or invalid_client; the response body is not kept.
type GrantError struct {
	Profile string
	Status  int
	Code    string
}

func (e *GrantError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("profile %s: token endpoint answered %d", e.Profile, e.Status)
	}
	return fmt.Sprintf("profile %s: token endpoint refused the grant: %s", e.Profile, e.Code)
}

// translate turns an x/oauth2 error into a *GrantError, or a transport
// error whose text carries no secret.
func translate(profile string, err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		ge := &GrantError{Profile: profile, Code: re.ErrorCode}
		if re.Response != nil {
			ge.Status = re.Response.StatusCode
		}
		if ge.Code == "" && len(re.Body) > 0 {
			var body struct {
				Error string `json:"error"`
			}
			if json.Unmarshal(re.Body, &body) == nil {
				ge.Code = body.Error
			}
		}
		return ge
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		// The URL is a token endpoint (no secrets); keep the cause only.
		return fmt.Errorf("profile %s: token endpoint: %s: %w", profile, ue.Op, ue.Err)
	}
	return fmt.Errorf("profile %s: token request: %w", profile, err)
}

// isRefusal reports whether err means the grant itself is no longer good
// (so retrying will not help): any OAuth error answered with a 4xx.
func isRefusal(err error) bool {
	var ge *GrantError
	return errors.As(err, &ge) && ge.Status >= 400 && ge.Status < 500
}

func (m *Manager) oauthCtx(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, m.http)
}

// codeConfig is the authorization-code configuration of an oauth2
// profile; tokenURL picks the token or the refresh endpoint.
func (m *Manager) codeConfig(pr *profile, tokenURL string) (*oauth2.Config, error) {
	secret, err := pr.p.ClientSecret.Resolve()
	if err != nil {
		return nil, fmt.Errorf("profile %s: client_secret: %w", pr.name, err)
	}
	return &oauth2.Config{
		ClientID:     pr.p.ClientID,
		ClientSecret: secret,
		Endpoint:     oauth2.Endpoint{AuthURL: pr.ep.auth, TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams},
		RedirectURL:  m.callbackURL,
		Scopes:       pr.p.Scopes,
	}, nil
}

// fetch runs a non-interactive grant (password, JWT bearer, client
// credentials) and returns the new token.
func (m *Manager) fetch(ctx context.Context, pr *profile) (*tokenRecord, error) {
	ctx = m.oauthCtx(ctx)
	var tok *oauth2.Token
	var err error
	switch pr.p.Kind {
	case KindOAuth2Password:
		secret, serr := pr.p.ClientSecret.Resolve()
		if serr != nil {
			return nil, fmt.Errorf("profile %s: client_secret: %w", pr.name, serr)
		}
		pw, serr := pr.p.Password.Resolve()
		if serr != nil {
			return nil, fmt.Errorf("profile %s: password: %w", pr.name, serr)
		}
		if !pr.p.SecurityToken.IsZero() {
			st, serr := pr.p.SecurityToken.Resolve()
			if serr != nil {
				return nil, fmt.Errorf("profile %s: security_token: %w", pr.name, serr)
			}
			pw += st
		}
		cfg := &oauth2.Config{ClientID: pr.p.ClientID, ClientSecret: secret,
			Endpoint: oauth2.Endpoint{TokenURL: pr.ep.token, AuthStyle: oauth2.AuthStyleInParams}}
		tok, err = cfg.PasswordCredentialsToken(ctx, pr.p.Username, pw)
	case KindOAuth2JWTBearer:
		key, serr := pr.p.PrivateKey.Resolve()
		if serr != nil {
			return nil, fmt.Errorf("profile %s: private_key: %w", pr.name, serr)
		}
		cfg := &jwt.Config{
			Email:   pr.p.ClientID, // iss: the consumer key
			Subject: pr.p.Username,
			// sfsim checks exp against its clock; Salesforce wants it within
			// a few minutes.
			Expires:    3 * time.Minute,
			PrivateKey: []byte(key),
			Scopes:     pr.p.Scopes,
			TokenURL:   pr.ep.token,
			Audience:   pr.ep.audience,
		}
		tok, err = cfg.TokenSource(ctx).Token()
	case KindOAuth2ClientCreds:
		secret, serr := pr.p.ClientSecret.Resolve()
		if serr != nil {
			return nil, fmt.Errorf("profile %s: client_secret: %w", pr.name, serr)
		}
		cfg := &clientcredentials.Config{ClientID: pr.p.ClientID, ClientSecret: secret, TokenURL: pr.ep.token,
			Scopes: pr.p.Scopes, AuthStyle: oauth2.AuthStyleInParams}
		tok, err = cfg.Token(ctx)
	default:
		return nil, fmt.Errorf("profile %s: kind %s has no non-interactive grant", pr.name, pr.p.Kind)
	}
	if err != nil {
		return nil, translate(pr.name, err)
	}
	if tok.AccessToken == "" {
		return nil, fmt.Errorf("profile %s: token response has no access_token", pr.name)
	}
	return recordFromToken(tok, nil, m.now())
}

// refreshWith redeems a refresh token.
func (m *Manager) refreshWith(ctx context.Context, pr *profile, prev *tokenRecord) (*tokenRecord, error) {
	cfg, err := m.codeConfig(pr, pr.ep.refresh)
	if err != nil {
		return nil, err
	}
	tok, err := cfg.TokenSource(m.oauthCtx(ctx), &oauth2.Token{RefreshToken: prev.RefreshToken}).Token()
	if err != nil {
		return nil, translate(pr.name, err)
	}
	return recordFromToken(tok, prev, m.now())
}

// exchange redeems an authorization code with the PKCE verifier.
func (m *Manager) exchange(ctx context.Context, pr *profile, code, verifier string) (*tokenRecord, error) {
	cfg, err := m.codeConfig(pr, pr.ep.token)
	if err != nil {
		return nil, err
	}
	tok, err := cfg.Exchange(m.oauthCtx(ctx), code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, translate(pr.name, err)
	}
	if tok.AccessToken == "" {
		return nil, fmt.Errorf("profile %s: token response has no access_token", pr.name)
	}
	return recordFromToken(tok, nil, m.now())
}

// revokeRemote posts the token to the revoke endpoint. An already invalid
// token counts as revoked.
func (m *Manager) revokeRemote(ctx context.Context, pr *profile, token string) error {
	if pr.ep.revoke == "" {
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, pr.ep.revoke, strings.NewReader(url.Values{"token": {token}}.Encode()))
	if err != nil {
		return fmt.Errorf("profile %s: revoke: %w", pr.name, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := m.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("profile %s: revoke: %w", pr.name, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	var e struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(body, &e)
	if resp.StatusCode == http.StatusBadRequest && e.Error == "invalid_token" {
		return nil
	}
	return &GrantError{Profile: pr.name, Status: resp.StatusCode, Code: e.Error}
}
