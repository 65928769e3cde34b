package convtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/botforge/dialogd/nodes"
)

// Salesforce is an org reached with one access token (an sfsim started
// for the tests, say): the [Records] that tests seed and query, and,
// through Authorizer, the credential of the bot's Salesforce auth
// profiles.
type Salesforce struct {
	BaseURL string // the instance URL, without a trailing slash
	Token   string
	// APIVersion of the data API calls; default 62.0.
	APIVersion string
	HTTP       *http.Client // default http.DefaultClient
}

func (s *Salesforce) data(path string) string {
	v := s.APIVersion
	if v == "" {
		v = "62.0"
	}
	return s.BaseURL + "/services/data/v" + v + path
}

// call sends a data API request and decodes the JSON answer into out;
// an error says the method and what Salesforce answered.
func (s *Salesforce) call(ctx context.Context, method, url string, body, out any) error {
	if err := s.send(ctx, method, url, body, out); err != nil {
		return fmt.Errorf("convtest: salesforce %s: %w", method, err)
	}
	return nil
}

func (s *Salesforce) send(ctx context.Context, method, url string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+s.Token)
	req.Header.Set("Content-Type", "application/json")
	hc := s.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return apiError(resp.StatusCode, data)
	}
	return json.Unmarshal(data, out)
}

// apiError reads Salesforce's [{errorCode, message}] answer.
func apiError(status int, data []byte) error {
	var errs []struct {
		ErrorCode string `json:"errorCode"`
		Message   string `json:"message"`
	}
	if json.Unmarshal(data, &errs) == nil && len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = e.ErrorCode + ": " + e.Message
		}
		return fmt.Errorf("status %d: %s", status, strings.Join(msgs, "; "))
	}
	return fmt.Errorf("status %d: %.200s", status, data)
}

// Query implements Records, following the answer's pages.
func (s *Salesforce) Query(ctx context.Context, soql string) ([]map[string]any, error) {
	var rows []map[string]any
	next := s.data("/query?q=" + url.QueryEscape(soql))
	for next != "" {
		var page struct {
			Records        []map[string]any `json:"records"`
			NextRecordsURL string           `json:"nextRecordsUrl"`
		}
		if err := s.call(ctx, http.MethodGet, next, nil, &page); err != nil {
			return nil, err
		}
		rows = append(rows, page.Records...)
		next = ""
		if page.NextRecordsURL != "" {
			next = s.BaseURL + page.NextRecordsURL
		}
	}
	return rows, nil
}

// Create implements Records.
func (s *Salesforce) Create(ctx context.Context, object string, fields map[string]any) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	if err := s.call(ctx, http.MethodPost, s.data("/sobjects/"+url.PathEscape(object)), fields, &out); err != nil {
		return "", err
	}
	return out.ID, nil
}

// Authorizer returns the authorizer of a bot whose auth profiles named
// in profiles are pointed at this org: their calls carry the token and
// go to BaseURL, whatever the profile's mode (pre_authorized or
// per_user) or login host. Other profiles are left to next (nil: their
// calls fail).
func (s *Salesforce) Authorizer(profiles map[string]bool, next nodes.Authorizer) nodes.Authorizer {
	return &orgAuth{org: s, profiles: profiles, next: next}
}

type orgAuth struct {
	org      *Salesforce
	profiles map[string]bool
	next     nodes.Authorizer
}

func (a *orgAuth) Apply(ctx context.Context, t *nodes.Turn, profile string, req *http.Request) error {
	if a.profiles[profile] {
		req.Header.Set("Authorization", "Bearer "+a.org.Token)
		return nil
	}
	if a.next == nil {
		return fmt.Errorf("convtest: auth profile %s is not pointed at the test org and has no authorizer", profile)
	}
	return a.next.Apply(ctx, t, profile, req)
}

// BaseURL implements nodes.BaseURLer.
func (a *orgAuth) BaseURL(ctx context.Context, t *nodes.Turn, profile string) (string, error) {
	if a.profiles[profile] {
		return a.org.BaseURL, nil
	}
	if b, ok := a.next.(nodes.BaseURLer); ok {
		return b.BaseURL(ctx, t, profile)
	}
	return "", fmt.Errorf("convtest: auth profile %s has no base URL", profile)
}

// Refresh implements nodes.Refresher: the test token cannot be renewed;
// other profiles' tokens are the next authorizer's.
func (a *orgAuth) Refresh(ctx context.Context, t *nodes.Turn, profile string) error {
	if r, ok := a.next.(nodes.Refresher); ok && !a.profiles[profile] {
		return r.Refresh(ctx, t, profile)
	}
	return fmt.Errorf("convtest: auth profile %s: the test token was refused", profile)
}
