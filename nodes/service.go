package nodes

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.yaml.in/yaml/v3"
)

func init() {
	Register(Info{
		Type:    "service",
		New:     func() Node { return new(Service) },
		Summary: "Call an HTTP API with a templated URL, headers and body, and store the response in the context.",
	})
}

// Service calls an HTTP API and stores the response in the context as
// <node id>.response.status and <node id>.response.body (parsed JSON, or
// the text of other bodies).
//
// A 2xx response follows the node's default transitions. Any other status,
// a failed connection or a response over 1 MiB goes to on_error; a call
// that runs out of time goes to on_timeout. Without the target the task
// ends as failed (a service_error) and the user is told ErrorMessage. When the call needs an
// authorization the user has not granted yet, the user is sent an
// authorize card and the dialog parks at the node; it runs again once the
// user has granted access.
//
// Values from the context are escaped for where they go: URL path
// segments and query components, JSON strings, form values and XML text.
// Bodies and header values are never logged.
type Service struct {
	// Method is GET, POST, PUT, PATCH or DELETE. Default: GET.
	Method string `yaml:"method"`
	// URL is the request URL, a template. Required.
	URL *Interp `yaml:"url"`
	// Headers are extra request headers; values are templates.
	Headers map[string]*Interp `yaml:"headers"`
	// Auth names an auth profile of bot.yaml whose credentials are added
	// to the request.
	Auth string `yaml:"auth"`
	// BodyType is json, form or xml. Default: json when Body is set.
	BodyType string `yaml:"body_type"`
	// Body is the request body: for json and form a YAML tree whose
	// strings are templates (see [Body]); for xml one template.
	Body yaml.Node `yaml:"body"`
	// Timeout bounds the whole call, body included. Default 5s, at most
	// 20s.
	Timeout time.Duration `yaml:"timeout"`
	// OnError is where the dialog goes after a non-2xx response or a
	// failed call.
	OnError Target `yaml:"on_error"`
	// OnTimeout is where the dialog goes when the call times out.
	OnTimeout Target `yaml:"on_timeout"`
	// Idempotent says the API honours the Idempotency-Key header: when a
	// turn runs again after a crash that may have come after this call was
	// sent, the call is sent again with the same key. Without it such a
	// call is not sent again: it fails with <id>.error "uncertain", so that
	// the task can look up what the first attempt did (on_error).
	Idempotent bool `yaml:"idempotent"`
	// ErrorMessage is what the user is told when the call fails and no
	// target is set; empty leaves it to the host (failure_text,
	// events.failures.service_error, the built-in phrase).
	ErrorMessage Text `yaml:"error_message"`

	body        *Body    // json and form
	xmlBody     *Interp  // xml
	headerNames []string // canonical, sorted
	headerVals  []*Interp
	timeout     time.Duration
}

// Limits of the service node.
const (
	defaultServiceTimeout = 5 * time.Second
	maxServiceTimeout     = 20 * time.Second
	minServiceTimeout     = 10 * time.Millisecond
	// MaxResponseBytes is the largest response body a service node reads.
	MaxResponseBytes = 1 << 20
)

// Body types.
const (
	BodyJSON = "json"
	BodyForm = "form"
	BodyXML  = "xml"
)

// ErrResponseTooLarge is reported (to the ServiceObserver and in the
// logs) when a response body exceeds [MaxResponseBytes].
var ErrResponseTooLarge = errors.New("nodes: service response larger than 1 MiB")

// ServiceError describes a failed service call; it is what the
// ServiceObserver receives for calls that got no usable response.
type ServiceError struct {
	Node string
	Kind string // one of the ServiceFailure kinds
	Err  error
}

func (e *ServiceError) Error() string {
	return fmt.Sprintf("service %s: %s: %v", e.Node, e.Kind, e.Err)
}

func (e *ServiceError) Unwrap() error { return e.Err }

// Kinds of service failures, also stored as <node id>.error.
const (
	FailureTimeout  = "timeout"
	FailureNetwork  = "network"
	FailureTooLarge = "too_large"
	FailureRequest  = "request" // the request could not be built
	FailureAuth     = "auth"    // the auth profile could not be applied
	FailureStatus   = "status"  // a non-2xx response
	// FailureUncertain: an earlier run of this turn started the call and
	// died before it knew the answer; the call was not sent again (the
	// node is not idempotent), so it may or may not have taken effect.
	FailureUncertain = "uncertain"
)

var serviceMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// forbiddenHeaders are set by the HTTP client and may not be configured.
var forbiddenHeaders = map[string]bool{
	"Content-Length": true, "Host": true, "Transfer-Encoding": true, "Connection": true,
}

// Provision fills in defaults, compiles the body and checks the auth
// profile.
func (s *Service) Provision(h *Host) error {
	s.Method = strings.ToUpper(strings.TrimSpace(s.Method))
	if s.Method == "" {
		s.Method = http.MethodGet
	}
	s.timeout = s.Timeout
	if s.timeout == 0 {
		s.timeout = defaultServiceTimeout
	}
	s.BodyType = strings.ToLower(strings.TrimSpace(s.BodyType))
	hasBody := s.Body.Kind != 0 && !(s.Body.Kind == yaml.ScalarNode && s.Body.ShortTag() == "!!null")
	if hasBody && s.BodyType == "" {
		s.BodyType = BodyJSON
	}
	if hasBody {
		switch s.BodyType {
		case BodyJSON, BodyForm:
			var b Body
			if err := b.UnmarshalYAML(&s.Body); err != nil {
				return fmt.Errorf("body (line %d): %w", s.Body.Line, err)
			}
			s.body = &b
		case BodyXML:
			if s.Body.Kind != yaml.ScalarNode {
				return fmt.Errorf("body (line %d): an xml body is one string template", s.Body.Line)
			}
			var tp Interp
			if err := tp.UnmarshalYAML(&s.Body); err != nil {
				return fmt.Errorf("body (line %d): %w", s.Body.Line, err)
			}
			s.xmlBody = &tp
		}
	}
	if s.Auth != "" && !h.AuthProfiles[s.Auth] {
		names := make([]string, 0, len(h.AuthProfiles))
		for n := range h.AuthProfiles {
			names = append(names, n)
		}
		slices.Sort(names)
		if len(names) == 0 {
			return fmt.Errorf("auth profile %q is not declared: bot.yaml declares no auth profiles", s.Auth)
		}
		return fmt.Errorf("auth profile %q is not declared in bot.yaml (declared: %s)", s.Auth, strings.Join(names, ", "))
	}
	s.headerNames = s.headerNames[:0]
	s.headerVals = s.headerVals[:0]
	canon := make(map[string]*Interp, len(s.Headers))
	for k, v := range s.Headers {
		ck := http.CanonicalHeaderKey(strings.TrimSpace(k))
		if _, dup := canon[ck]; dup {
			return fmt.Errorf("headers: %s given twice", ck)
		}
		canon[ck] = v
	}
	for k := range canon {
		s.headerNames = append(s.headerNames, k)
	}
	slices.Sort(s.headerNames)
	for _, k := range s.headerNames {
		s.headerVals = append(s.headerVals, canon[k])
	}
	return nil
}

// Validate checks the settings.
func (s *Service) Validate() error {
	if !slices.Contains(serviceMethods, s.Method) {
		return fmt.Errorf("method %q: must be one of %s", s.Method, strings.Join(serviceMethods, ", "))
	}
	if s.URL.IsZero() {
		return errors.New("field url is required")
	}
	if src := strings.TrimSpace(s.URL.String()); !strings.HasPrefix(src, "{{") &&
		!strings.HasPrefix(src, "http://") && !strings.HasPrefix(src, "https://") &&
		!(s.Auth != "" && isPathURL(src)) {
		return fmt.Errorf("url %q: must start with http:// or https:// or with a base url value such as {{ env.base_url }}"+
			" (a path such as /services/data/... needs auth: naming a profile that supplies the base url)", src)
	}
	if s.Timeout < 0 || (s.Timeout != 0 && s.Timeout < minServiceTimeout) {
		return fmt.Errorf("timeout %s is too short; write a duration such as 5s", s.Timeout)
	}
	if s.Timeout > maxServiceTimeout {
		return fmt.Errorf("timeout %s is longer than the maximum of %s", s.Timeout, maxServiceTimeout)
	}
	switch s.BodyType {
	case "", BodyJSON, BodyForm, BodyXML:
	default:
		return fmt.Errorf("body_type %q: must be json, form or xml", s.BodyType)
	}
	hasBody := s.body != nil || s.xmlBody != nil
	if s.BodyType != "" && !hasBody {
		return fmt.Errorf("body_type %s is set but there is no body", s.BodyType)
	}
	if hasBody && s.Method == http.MethodGet {
		return errors.New("a GET request has no body; use POST, PUT or PATCH")
	}
	if s.BodyType == BodyForm && !s.body.IsFlat() {
		return errors.New("a form body must be a map of scalars or lists of scalars")
	}
	for i, k := range s.headerNames {
		if !validHeaderName(k) {
			return fmt.Errorf("headers: %q is not a valid header name", k)
		}
		if forbiddenHeaders[k] {
			return fmt.Errorf("headers: %s is set by the HTTP client", k)
		}
		if s.headerVals[i].IsZero() {
			return fmt.Errorf("headers: %s has no value", k)
		}
	}
	return nil
}

// isPathURL reports whether u is an absolute path ("/x"), not a
// scheme-relative URL ("//host/x").
func isPathURL(u string) bool { return strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//") }

// validHeaderName reports whether k is an RFC 9110 token.
func validHeaderName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return true
}

// serviceRequest is a rendered request, reusable for a retry.
type serviceRequest struct {
	url         string
	host        string // for logs
	body        []byte
	contentType string
	headers     []string // name, value pairs
	// idempotencyKey goes out as the Idempotency-Key header of a POST,
	// PUT or PATCH, unless the node sets that header itself.
	idempotencyKey string
}

// serviceResult is what one call produced.
type serviceResult struct {
	status int
	header http.Header
	body   []byte
	kind   string // failure kind, "" for a usable response
	err    error
}

// Run makes the call.
func (s *Service) Run(ctx context.Context, t *Turn) (Outcome, error) {
	start := time.Now()
	req, err := s.render(ctx, t)
	var res serviceResult
	if err != nil {
		res = serviceResult{kind: FailureRequest, err: err}
	} else {
		res = s.recordAndCall(ctx, t, req)
	}
	if res.kind != "" && errors.Is(res.err, context.Canceled) && ctx.Err() != nil {
		// The turn itself was abandoned (shutdown, client gone): nothing
		// to tell the user, and the dialog stays where it is.
		return Outcome{}, fmt.Errorf("service %s: %w", t.NodeID, ctx.Err())
	}
	d := time.Since(start)

	var authErr *AuthorizationRequiredError
	switch {
	case errors.As(res.err, &authErr):
		return s.needsAuthorization(ctx, t, res, authErr, d), nil
	case errors.Is(res.err, ErrReconnectRequired):
		return s.needsReconnect(ctx, t, res, d), nil
	case res.kind == "" && res.status >= 200 && res.status <= 299:
		t.Memory.SetNode(t.NodeID, map[string]any{"response": map[string]any{
			"status": float64(res.status),
			"body":   parseResponseBody(res.header.Get("Content-Type"), res.body),
		}})
		s.observe(t, res.status, d, nil)
		s.log(ctx, t).Debug("service call", "node", t.NodeID, "method", s.Method, "host", req.host,
			"status", res.status, "duration_ms", d.Milliseconds())
		return Next(), nil
	}
	return s.failed(ctx, t, req, res, d)
}

// needsAuthorization parks the dialog behind an authorize card: the user
// must grant access before the call can be made.
func (s *Service) needsAuthorization(ctx context.Context, t *Turn, res serviceResult, authErr *AuthorizationRequiredError, d time.Duration) Outcome {
	s.observe(t, 0, d, res.err)
	profile := authErr.Profile
	if profile == "" {
		profile = s.Auth
	}
	t.Say(Reply{Type: ReplyAuthorize, URL: authErr.URL, Profile: profile, Text: authErr.Text})
	s.log(ctx, t).Info("service call needs authorization", "node", t.NodeID, "profile", profile)
	return Park()
}

// needsReconnect ends the task for a bot-wide credential an administrator
// must restore: a clear message, whatever the task's error branches say.
func (s *Service) needsReconnect(ctx context.Context, t *Turn, res serviceResult, d time.Duration) Outcome {
	s.observe(t, res.status, d, &ServiceError{Node: t.NodeID, Kind: FailureAuth, Err: res.err})
	t.Memory.SetNode(t.NodeID, map[string]any{
		"response": map[string]any{"status": float64(res.status), "body": nil},
		"error":    "reconnect",
	})
	s.log(ctx, t).Warn("service call needs an administrator to reconnect", "node", t.NodeID, "profile", s.Auth)
	return FailWith(FailReconnect, "")
}

// failed records a non-2xx answer or a call that got no usable answer as
// <node>.response and <node>.error, and goes to on_error/on_timeout or
// fails the task.
func (s *Service) failed(ctx context.Context, t *Turn, req *serviceRequest, res serviceResult, d time.Duration) (Outcome, error) {
	var body any
	if res.kind == "" {
		res.kind = FailureStatus
		body = parseResponseBody(res.header.Get("Content-Type"), res.body)
	}
	t.Memory.SetNode(t.NodeID, map[string]any{
		"response": map[string]any{"status": float64(res.status), "body": body},
		"error":    res.kind,
	})
	var obsErr error
	if res.err != nil {
		obsErr = &ServiceError{Node: t.NodeID, Kind: res.kind, Err: res.err}
	}
	s.observe(t, res.status, d, obsErr)
	host := ""
	if req != nil {
		host = req.host
	}
	// The error text of a transport failure can hold the URL, and so
	// context values: it is logged at debug level only.
	s.log(ctx, t).Warn("service call failed", "node", t.NodeID, "method", s.Method, "host", host,
		"status", res.status, "kind", res.kind, "duration_ms", d.Milliseconds())
	if res.err != nil {
		s.log(ctx, t).Debug("service call error", "node", t.NodeID, "err", res.err)
	}

	target := s.OnError
	if res.kind == FailureTimeout {
		target = s.OnTimeout
	}
	if target != "" {
		return Recover(target, FailService), nil
	}
	text, err := renderOptional(t, s.ErrorMessage)
	if err != nil {
		return Outcome{}, fmt.Errorf("service %s: error_message: %w", t.NodeID, err)
	}
	return FailWith(FailService, text), nil
}

// log returns the turn's logger bound to ctx, so that its records carry
// what the context does (the turn's request id).
func (s *Service) log(ctx context.Context, t *Turn) ctxLogger {
	if t.Env != nil && t.Env.Log != nil {
		return ctxLogger{t.Env.Log, ctx}
	}
	return ctxLogger{slog.New(slog.DiscardHandler), ctx}
}

// ctxLogger logs through l with ctx.
type ctxLogger struct {
	l   *slog.Logger
	ctx context.Context
}

func (c ctxLogger) Debug(msg string, args ...any) { c.l.DebugContext(c.ctx, msg, args...) }
func (c ctxLogger) Info(msg string, args ...any)  { c.l.InfoContext(c.ctx, msg, args...) }
func (c ctxLogger) Warn(msg string, args ...any)  { c.l.WarnContext(c.ctx, msg, args...) }

func (s *Service) observe(t *Turn, status int, d time.Duration, err error) {
	if t.Env != nil && t.Env.ServiceObserver != nil {
		t.Env.ServiceObserver(t.NodeID, status, d, err)
	}
}

// render renders URL, headers and body for the turn. A URL that renders
// to a path is joined to the base URL of the auth profile, when the
// authorizer supplies one (a [BaseURLer], e.g. Salesforce's instance_url).
func (s *Service) render(ctx context.Context, t *Turn) (*serviceRequest, error) {
	raw, err := s.URL.Render(t, EscapeURL)
	if err != nil {
		return nil, fmt.Errorf("url: %w", err)
	}
	if isPathURL(raw) && s.Auth != "" && t.Env != nil {
		if b, ok := t.Env.Auth.(BaseURLer); ok {
			base, err := b.BaseURL(ctx, t, s.Auth)
			if err != nil {
				return nil, fmt.Errorf("auth profile %s: base url: %w", s.Auth, err)
			}
			raw = strings.TrimSuffix(base, "/") + raw
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("url: not a valid url after rendering")
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("url: must be an absolute http or https url")
	}
	r := &serviceRequest{url: raw, host: u.Host, idempotencyKey: idempotencyKey(t, s.Method)}
	switch {
	case s.xmlBody != nil:
		b, err := s.xmlBody.Render(t, EscapeXML)
		if err != nil {
			return nil, fmt.Errorf("body: %w", err)
		}
		r.body, r.contentType = []byte(b), "application/xml; charset=utf-8"
	case s.body != nil && s.BodyType == BodyForm:
		form, err := RenderForm(t, s.body)
		if err != nil {
			return nil, fmt.Errorf("body: %w", err)
		}
		r.body, r.contentType = []byte(form.Encode()), "application/x-www-form-urlencoded"
	case s.body != nil:
		b, err := RenderJSON(t, s.body)
		if err != nil {
			return nil, fmt.Errorf("body: %w", err)
		}
		r.body, r.contentType = b, "application/json"
	}
	if len(s.headerNames) > 0 {
		r.headers = make([]string, 0, 2*len(s.headerNames))
		for i, k := range s.headerNames {
			v, err := s.headerVals[i].Render(t, EscapeText)
			if err != nil {
				return nil, fmt.Errorf("header %s: %w", k, err)
			}
			r.headers = append(r.headers, k, headerValue(v))
		}
	}
	return r, nil
}

// headerValue drops the control characters a header value cannot carry,
// so a context value cannot add a header.
func headerValue(v string) string {
	if !strings.ContainsFunc(v, isHeaderControl) {
		return strings.TrimSpace(v)
	}
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if isHeaderControl(r) {
			return ' '
		}
		return r
	}, v))
}

func isHeaderControl(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }

// errMaybeDone is the error of a call that an earlier run of the turn
// started and that is not sent again.
var errMaybeDone = errors.New("an earlier run of this turn made this call and did not see its answer")

// recordAndCall records a call with a side effect in the session before
// making it (Turn.RecordCall). A call an earlier run recorded is sent again
// with the same idempotency key only when the node is Idempotent.
func (s *Service) recordAndCall(ctx context.Context, t *Turn, r *serviceRequest) serviceResult {
	if r.idempotencyKey == "" || t.RecordCall == nil {
		return s.call(ctx, t, r)
	}
	again, err := t.RecordCall(ctx, r.idempotencyKey, s.Idempotent)
	switch {
	case err != nil:
		return serviceResult{kind: FailureRequest, err: err}
	case again && !s.Idempotent:
		return serviceResult{kind: FailureUncertain, err: errMaybeDone}
	case again:
		s.log(ctx, t).Info("service call sent again after a crash", "node", t.NodeID, "idempotency_key", r.idempotencyKey)
	}
	return s.call(ctx, t, r)
}

// call does the request under the node's timeout, renewing the credential
// and retrying once after a 401 when the authorizer can refresh.
func (s *Service) call(ctx context.Context, t *Turn, r *serviceRequest) serviceResult {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	res := s.attempt(ctx, t, r)
	if res.kind != "" || res.status != http.StatusUnauthorized || s.Auth == "" || t.Env == nil {
		return res
	}
	ref, ok := t.Env.Auth.(Refresher)
	if !ok {
		return res
	}
	if err := ref.Refresh(ctx, t, s.Auth); err != nil {
		if errors.Is(err, ErrAuthorizationRequired) || errors.Is(err, ErrReconnectRequired) {
			return serviceResult{kind: FailureAuth, err: err}
		}
		s.log(ctx, t).Debug("service credential refresh failed", "node", t.NodeID, "profile", s.Auth, "err", err)
		return res // report the 401
	}
	return s.attempt(ctx, t, r)
}

func (s *Service) attempt(ctx context.Context, t *Turn, r *serviceRequest) serviceResult {
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, s.Method, r.url, body)
	if err != nil {
		return serviceResult{kind: FailureRequest, err: err}
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	for i := 0; i+1 < len(r.headers); i += 2 {
		req.Header.Set(r.headers[i], r.headers[i+1])
	}
	if r.idempotencyKey != "" && req.Header.Get("Idempotency-Key") == "" {
		req.Header.Set("Idempotency-Key", r.idempotencyKey)
	}
	if s.Auth != "" {
		if t.Env == nil || t.Env.Auth == nil {
			return serviceResult{kind: FailureAuth, err: fmt.Errorf("auth profile %s: no authorizer configured", s.Auth)}
		}
		if err := t.Env.Auth.Apply(ctx, t, s.Auth, req); err != nil {
			return serviceResult{kind: FailureAuth, err: fmt.Errorf("auth profile %s: %w", s.Auth, err)}
		}
	}
	client := http.DefaultClient
	if t.Env != nil && t.Env.HTTP != nil {
		client = t.Env.HTTP
	}
	resp, err := client.Do(req)
	if err != nil {
		return serviceResult{kind: failureKind(ctx, err), err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return serviceResult{status: resp.StatusCode, kind: failureKind(ctx, err), err: fmt.Errorf("read response: %w", err)}
	}
	if len(data) > MaxResponseBytes {
		return serviceResult{status: resp.StatusCode, kind: FailureTooLarge, err: ErrResponseTooLarge}
	}
	return serviceResult{status: resp.StatusCode, header: resp.Header, body: data}
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

// parseResponseBody returns JSON bodies parsed and other bodies as text;
// an empty body is nil.
func parseResponseBody(contentType string, data []byte) any {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if isJSONType(contentType) || contentType == "" && (data[0] == '{' || data[0] == '[') {
		var v any
		if err := json.Unmarshal(data, &v); err == nil {
			return v
		}
	}
	return string(data)
}

func isJSONType(ct string) bool {
	if ct == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

var (
	_ Node        = (*Service)(nil)
	_ Provisioner = (*Service)(nil)
	_ Validator   = (*Service)(nil)
)

// idempotencyKey names one outgoing write so that the API can recognise it
// when it comes again: a name-based UUID (v5) of the conversation, the
// event (a conversation_end run is not the first turn), the turn's Seq,
// the client's message id, the task, the node and the call's place in the
// turn. A turn without a conversation id sends none. The same message run
// again after a lost commit sends the same keys; any other call, a
// different message at the same place included, gets a new one. Reads
// (GET, DELETE) get none. The key's parts are not secrets.
func idempotencyKey(t *Turn, method string) string {
	if method != http.MethodPost && method != http.MethodPut && method != http.MethodPatch {
		return ""
	}
	ns, err := uuid.Parse(t.Conversation)
	if err != nil {
		// No conversation to name the call by: a key shared with another
		// conversation would be worse than none.
		return ""
	}
	t.calls++
	name := strings.Join([]string{t.Bot, t.Event, strconv.FormatUint(t.Seq, 10), t.MessageID, t.Task, t.NodeID, strconv.Itoa(t.calls)}, "\x00")
	return uuid.NewSHA1(ns, []byte(name)).String()
}
