package nodes

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// APICall is one HTTP request a node makes to an API, rendered and ready
// to send. It is what the service node and integration node types (such
// as package nodes/salesforce) share: the auth profile's credentials and
// base URL, the Idempotency-Key of a write and its record in the session
// before it is sent (see [Turn.RecordCall]), the time limit, and one retry
// after a 401 with a refreshed credential.
type APICall struct {
	Method string
	// URL is absolute, or a path ("/services/data/…") joined to the base
	// URL of the Auth profile (a [BaseURLer]).
	URL string
	// Auth names the auth profile whose credentials go with the request;
	// empty sends none.
	Auth        string
	Header      http.Header // extra headers, may be nil
	Body        []byte
	ContentType string
	Timeout     time.Duration // of the whole call, body included
	// TokenPlaceholder, when set, is replaced in Body by the access token
	// the auth profile applies (XML-escaped), for APIs that read it from
	// the body, such as SOAP's SessionHeader.
	TokenPlaceholder string
	// BeforeResend, when set, is asked before a write that a crashed run
	// of the turn may have sent is sent again: it looks for the write's
	// effect (the record a create made), and done reports that it found
	// it, res then standing for the call's answer. Otherwise the call is
	// sent again.
	BeforeResend func(ctx context.Context) (res APIResult, done bool)
	// Resendable says the API honours the Idempotency-Key header: a write
	// that a crashed run of the turn may have sent is sent again with the
	// same key. Otherwise it is not sent again and fails as
	// [FailureUncertain].
	Resendable bool
}

// APIResult is what an [APICall] produced.
type APIResult struct {
	Status int
	Header http.Header
	Body   []byte
	// Failure is "" when a response arrived, else one of the Failure kinds.
	Failure string
	Err     error
	// Host is the host called, for logs; Key the Idempotency-Key sent.
	Host, Key string
}

// OK reports whether a 2xx response arrived.
func (r APIResult) OK() bool { return r.Failure == "" && r.Status >= 200 && r.Status <= 299 }

// errMaybeDone is the error of a call that an earlier run of the turn
// started and that is not sent again.
var errMaybeDone = errors.New("an earlier run of this turn made this call and did not see its answer")

// Do sends the call for the turn. A POST, PUT or PATCH is named by an
// idempotency key, recorded in the session before it is sent, and sent
// with it as its Idempotency-Key unless Header sets one.
func (c *APICall) Do(ctx context.Context, t *Turn) APIResult {
	raw, host, err := c.resolve(ctx, t)
	if err != nil {
		return APIResult{Failure: FailureRequest, Err: err}
	}
	key := idempotencyKey(t, c.Method)
	res := c.recordAndSend(ctx, t, raw, key)
	res.Host, res.Key = host, key
	return res
}

// resolve joins a path URL to the profile's base URL and checks the result.
func (c *APICall) resolve(ctx context.Context, t *Turn) (raw, host string, err error) {
	raw = c.URL
	if isPathURL(raw) && c.Auth != "" && t.Env != nil {
		if b, ok := t.Env.Auth.(BaseURLer); ok {
			base, err := b.BaseURL(ctx, t, c.Auth)
			if err != nil {
				return "", "", fmt.Errorf("auth profile %s: base url: %w", c.Auth, err)
			}
			raw = strings.TrimSuffix(base, "/") + raw
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", errors.New("url: not a valid url after rendering")
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", "", errors.New("url: must be an absolute http or https url")
	}
	return raw, u.Host, nil
}

// recordAndSend records a write in the session before sending it
// (Turn.RecordCall). A write an earlier run recorded is sent again, with
// the same key, only when the call is Resendable.
func (c *APICall) recordAndSend(ctx context.Context, t *Turn, raw, key string) APIResult {
	if key == "" || t.RecordCall == nil {
		return c.send(ctx, t, raw, key)
	}
	again, err := t.RecordCall(ctx, key, c.Resendable)
	switch {
	case err != nil:
		return APIResult{Failure: FailureRequest, Err: err}
	case again && c.BeforeResend != nil:
		if res, done := c.BeforeResend(ctx); done {
			return res
		}
	case again && !c.Resendable:
		return APIResult{Failure: FailureUncertain, Err: errMaybeDone}
	case again && t.Env != nil && t.Env.Log != nil:
		t.Env.Log.InfoContext(ctx, "api call sent again after a crash", "node", t.NodeID, "idempotency_key", key)
	}
	return c.send(ctx, t, raw, key)
}

// send does the request under the call's timeout, renewing the credential
// and retrying once after a 401 when the authorizer can refresh.
func (c *APICall) send(ctx context.Context, t *Turn, raw, key string) APIResult {
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	res := c.attempt(ctx, t, raw, key)
	if res.Failure != "" || res.Status != http.StatusUnauthorized || c.Auth == "" || t.Env == nil {
		return res
	}
	ref, ok := t.Env.Auth.(Refresher)
	if !ok {
		return res
	}
	if err := ref.Refresh(ctx, t, c.Auth); err != nil {
		if errors.Is(err, ErrAuthorizationRequired) || errors.Is(err, ErrReconnectRequired) {
			return APIResult{Failure: FailureAuth, Err: err}
		}
		if t.Env.Log != nil {
			t.Env.Log.DebugContext(ctx, "api credential refresh failed", "node", t.NodeID, "profile", c.Auth, "err", err)
		}
		return res // report the 401
	}
	return c.attempt(ctx, t, raw, key)
}

func (c *APICall) attempt(ctx context.Context, t *Turn, raw, key string) APIResult {
	var body io.Reader
	if c.Body != nil {
		body = bytes.NewReader(c.Body)
	}
	req, err := http.NewRequestWithContext(ctx, c.Method, raw, body)
	if err != nil {
		return APIResult{Failure: FailureRequest, Err: err}
	}
	if c.ContentType != "" {
		req.Header.Set("Content-Type", c.ContentType)
	}
	for k, vs := range c.Header {
		req.Header[k] = slices.Clone(vs)
	}
	if key != "" && req.Header.Get("Idempotency-Key") == "" {
		req.Header.Set("Idempotency-Key", key)
	}
	if c.Auth != "" {
		if t.Env == nil || t.Env.Auth == nil {
			return APIResult{Failure: FailureAuth, Err: fmt.Errorf("auth profile %s: no authorizer configured", c.Auth)}
		}
		if err := t.Env.Auth.Apply(ctx, t, c.Auth, req); err != nil {
			return APIResult{Failure: FailureAuth, Err: fmt.Errorf("auth profile %s: %w", c.Auth, err)}
		}
		if c.TokenPlaceholder != "" {
			c.tokenInBody(req)
		}
	}
	client := http.DefaultClient
	if t.Env != nil && t.Env.HTTP != nil {
		client = t.Env.HTTP
	}
	resp, err := client.Do(req)
	if err != nil {
		return APIResult{Failure: failureKind(ctx, err), Err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return APIResult{Status: resp.StatusCode, Failure: failureKind(ctx, err), Err: fmt.Errorf("read response: %w", err)}
	}
	if len(data) > MaxResponseBytes {
		return APIResult{Status: resp.StatusCode, Failure: FailureTooLarge, Err: ErrResponseTooLarge}
	}
	return APIResult{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

// tokenInBody puts the bearer token the authorizer set into the body, in
// place of TokenPlaceholder.
func (c *APICall) tokenInBody(req *http.Request) {
	tok, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return
	}
	var esc strings.Builder
	_ = xml.EscapeText(&esc, []byte(tok))
	body := bytes.ReplaceAll(c.Body, []byte(c.TokenPlaceholder), []byte(esc.String()))
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
}

// failureKind tells a timeout from other transport failures.
func failureKind(ctx context.Context, err error) string {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || ctx.Err() == context.DeadlineExceeded ||
		errors.As(err, &ne) && ne.Timeout() {
		return FailureTimeout
	}
	return FailureNetwork
}

// Authorization handles a result that needs the user's or an
// administrator's action before the call can be made, as the service node
// does: an authorization the user has not granted parks the dialog behind
// an authorize card; a bot-wide credential only an administrator can
// restore fails the task with FailReconnect. ok is false for any other
// result.
func (r APIResult) Authorization(t *Turn, profile string) (out Outcome, ok bool) {
	var authErr *AuthorizationRequiredError
	switch {
	case errors.As(r.Err, &authErr):
		if authErr.Profile != "" {
			profile = authErr.Profile
		}
		t.Say(Reply{Type: ReplyAuthorize, URL: authErr.URL, Profile: profile, Text: authErr.Text})
		return Park(), true
	case errors.Is(r.Err, ErrReconnectRequired):
		return FailWith(FailReconnect, ""), true
	}
	return Outcome{}, false
}

// CheckAuthProfile reports an auth profile a node names that bot.yaml
// does not declare, listing those it does.
func (h *Host) CheckAuthProfile(name string) error {
	if name == "" || h.AuthProfiles[name] {
		return nil
	}
	names := make([]string, 0, len(h.AuthProfiles))
	for n := range h.AuthProfiles {
		names = append(names, n)
	}
	slices.Sort(names)
	if len(names) == 0 {
		return fmt.Errorf("auth profile %q is not declared: bot.yaml declares no auth profiles", name)
	}
	return fmt.Errorf("auth profile %q is not declared in bot.yaml (declared: %s)", name, strings.Join(names, ", "))
}
