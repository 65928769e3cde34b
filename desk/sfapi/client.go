package sfapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/botforge/dialogd/nodes"
)

// Authorizer is what the client needs from an auth profile: its token
// (Apply), its instance URL (BaseURL) and renewal after a 401 (Refresh).
// auth.Manager implements it; the client always passes a nil turn, so the
// profile must be pre_authorized.
type Authorizer interface {
	nodes.Authorizer
	nodes.BaseURLer
	nodes.Refresher
}

// Defaults of the Client's zero fields.
const (
	DefaultVersion = "v60.0"
	DefaultTimeout = 30 * time.Second
	DefaultMaxBody = 32 << 20
)

// Client calls Salesforce's REST API with one auth profile.
type Client struct {
	Auth    Authorizer
	Profile string       // auth profile name
	HTTP    *http.Client // nil: a client with DefaultTimeout
	Version string       // API version, "v60.0" when empty
	// BatchSize asks Query for pages of this many records
	// (Sforce-Query-Options; Salesforce clamps it to 200…2000); 0 leaves
	// Salesforce's default (2000).
	BatchSize int
	// MaxBody bounds a response body (DefaultMaxBody when 0); a larger
	// one is an error.
	MaxBody int64
}

var defaultHTTP = &http.Client{Timeout: DefaultTimeout}

func (c *Client) version() string {
	if c.Version == "" {
		return DefaultVersion
	}
	return c.Version
}

// dataPath is the path of the REST data API for rest ("/query", …).
func (c *Client) dataPath(rest string) string {
	return "/services/data/" + c.version() + rest
}

// Do sends method to path (an instance-relative path such as
// "/services/data/v60.0/limits", query string allowed) with body encoded
// as JSON (nil: none) and decodes a JSON answer into out (nil: ignored).
// A 401 refreshes the profile's token once and retries once.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("sfapi: encode %s body: %w", method, err)
		}
	}
	status, data, err := c.send(ctx, method, path, payload)
	if err == nil && status == http.StatusUnauthorized {
		if rerr := c.Auth.Refresh(ctx, nil, c.Profile); rerr != nil {
			return fmt.Errorf("sfapi: %s %s: refresh after 401: %w", method, safePath(path), rerr)
		}
		status, data, err = c.send(ctx, method, path, payload)
	}
	if err != nil {
		return err
	}
	if status >= 300 {
		return decodeError(status, data)
	}
	if out == nil || len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("sfapi: %s %s: decode answer: %w", method, safePath(path), err)
	}
	return nil
}

// send makes one request and reads the whole answer.
func (c *Client) send(ctx context.Context, method, path string, payload []byte) (int, []byte, error) {
	if c.Auth == nil {
		return 0, nil, errors.New("sfapi: client has no authorizer")
	}
	base, err := c.Auth.BaseURL(ctx, nil, c.Profile)
	if err != nil {
		return 0, nil, fmt.Errorf("sfapi: instance url: %w", err)
	}
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(base, "/")+path, rd)
	if err != nil {
		return 0, nil, fmt.Errorf("sfapi: %s %s: %w", method, safePath(path), err)
	}
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.BatchSize > 0 {
		req.Header.Set("Sforce-Query-Options", fmt.Sprintf("batchSize=%d", c.BatchSize))
	}
	if err := c.Auth.Apply(ctx, nil, c.Profile, req); err != nil {
		return 0, nil, fmt.Errorf("sfapi: authorize: %w", err)
	}
	hc := c.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	res, err := hc.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("sfapi: %s %s: %w", method, safePath(path), unwrapURLError(err))
	}
	defer res.Body.Close()
	limit := c.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	data, err := io.ReadAll(io.LimitReader(res.Body, limit+1))
	if err != nil {
		return 0, nil, fmt.Errorf("sfapi: %s %s: read answer: %w", method, safePath(path), err)
	}
	if int64(len(data)) > limit {
		return 0, nil, fmt.Errorf("sfapi: %s %s: answer larger than %d bytes", method, safePath(path), limit)
	}
	return res.StatusCode, data, nil
}

// safePath drops the query string (a SOQL query may hold customer data)
// from a path shown in an error.
func safePath(path string) string {
	if i := strings.IndexByte(path, '?'); i >= 0 {
		return path[:i]
	}
	return path
}
