package nodes

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
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
	if err := h.CheckAuthProfile(s.Auth); err != nil {
		return err
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

// Run makes the call.
func (s *Service) Run(ctx context.Context, t *Turn) (Outcome, error) {
	start := time.Now()
	call, err := s.render(t)
	var res APIResult
	if err != nil {
		res = APIResult{Failure: FailureRequest, Err: err}
	} else {
		res = call.Do(ctx, t)
	}
	if res.Failure != "" && errors.Is(res.Err, context.Canceled) && ctx.Err() != nil {
		// The turn itself was abandoned (shutdown, client gone): nothing
		// to tell the user, and the dialog stays where it is.
		return Outcome{}, fmt.Errorf("service %s: %w", t.NodeID, ctx.Err())
	}
	d := time.Since(start)
	if out, ok := res.Authorization(t, s.Auth); ok {
		return s.needsAction(ctx, t, res, out, d), nil
	}
	if res.OK() {
		t.Memory.SetNode(t.NodeID, map[string]any{"response": map[string]any{
			"status": float64(res.Status),
			"body":   parseResponseBody(res.Header.Get("Content-Type"), res.Body),
		}})
		s.observe(t, res.Status, d, nil)
		s.log(ctx, t).Debug("service call", "node", t.NodeID, "method", s.Method, "host", res.Host,
			"status", res.Status, "duration_ms", d.Milliseconds())
		return Next(), nil
	}
	return s.failed(ctx, t, res, d)
}

// needsAction reports a call that needs the user to authorize (the dialog
// parks behind an authorize card) or an administrator to reconnect a
// bot-wide credential (the task ends with a clear message, whatever the
// task's error branches say).
func (s *Service) needsAction(ctx context.Context, t *Turn, res APIResult, out Outcome, d time.Duration) Outcome {
	if out.Status == StatusPark {
		s.observe(t, 0, d, res.Err)
		s.log(ctx, t).Info("service call needs authorization", "node", t.NodeID, "profile", s.Auth)
		return out
	}
	s.observe(t, res.Status, d, &ServiceError{Node: t.NodeID, Kind: FailureAuth, Err: res.Err})
	t.Memory.SetNode(t.NodeID, map[string]any{
		"response": map[string]any{"status": float64(res.Status), "body": nil},
		"error":    "reconnect",
	})
	s.log(ctx, t).Warn("service call needs an administrator to reconnect", "node", t.NodeID, "profile", s.Auth)
	return out
}

// failed records a non-2xx answer or a call that got no usable answer as
// <node>.response and <node>.error, and goes to on_error/on_timeout or
// fails the task.
func (s *Service) failed(ctx context.Context, t *Turn, res APIResult, d time.Duration) (Outcome, error) {
	var body any
	if res.Failure == "" {
		res.Failure = FailureStatus
		body = parseResponseBody(res.Header.Get("Content-Type"), res.Body)
	}
	t.Memory.SetNode(t.NodeID, map[string]any{
		"response": map[string]any{"status": float64(res.Status), "body": body},
		"error":    res.Failure,
	})
	var obsErr error
	if res.Err != nil {
		obsErr = &ServiceError{Node: t.NodeID, Kind: res.Failure, Err: res.Err}
	}
	s.observe(t, res.Status, d, obsErr)
	// The error text of a transport failure can hold the URL, and so
	// context values: it is logged at debug level only.
	s.log(ctx, t).Warn("service call failed", "node", t.NodeID, "method", s.Method, "host", res.Host,
		"status", res.Status, "kind", res.Failure, "duration_ms", d.Milliseconds())
	if res.Err != nil {
		s.log(ctx, t).Debug("service call error", "node", t.NodeID, "err", res.Err)
	}

	target := s.OnError
	if res.Failure == FailureTimeout {
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

// render renders the call's URL, headers and body for the turn. A URL
// that renders to a path is joined to the base URL of the auth profile by
// APICall.Do, when the authorizer supplies one (a [BaseURLer], e.g.
// Salesforce's instance_url).
func (s *Service) render(t *Turn) (*APICall, error) {
	raw, err := s.URL.Render(t, EscapeURL)
	if err != nil {
		return nil, fmt.Errorf("url: %w", err)
	}
	r := &APICall{Method: s.Method, URL: raw, Auth: s.Auth, Timeout: s.timeout, Resendable: s.Idempotent}
	switch {
	case s.xmlBody != nil:
		b, err := s.xmlBody.Render(t, EscapeXML)
		if err != nil {
			return nil, fmt.Errorf("body: %w", err)
		}
		r.Body, r.ContentType = []byte(b), "application/xml; charset=utf-8"
	case s.body != nil && s.BodyType == BodyForm:
		form, err := RenderForm(t, s.body)
		if err != nil {
			return nil, fmt.Errorf("body: %w", err)
		}
		r.Body, r.ContentType = []byte(form.Encode()), "application/x-www-form-urlencoded"
	case s.body != nil:
		b, err := RenderJSON(t, s.body)
		if err != nil {
			return nil, fmt.Errorf("body: %w", err)
		}
		r.Body, r.ContentType = b, "application/json"
	}
	if len(s.headerNames) > 0 {
		r.Header = make(http.Header, len(s.headerNames))
		for i, k := range s.headerNames {
			v, err := s.headerVals[i].Render(t, EscapeText)
			if err != nil {
				return nil, fmt.Errorf("header %s: %w", k, err)
			}
			r.Header[k] = []string{headerValue(v)}
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
