package sfapi

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// queryPage is one page of a query answer.
type queryPage struct {
	TotalSize      int              `json:"totalSize"`
	Done           bool             `json:"done"`
	NextRecordsURL string           `json:"nextRecordsUrl"`
	Records        []map[string]any `json:"records"`
}

// Query runs soql and calls fn for every record, page after page
// (nextRecordsUrl), until the last one or until fn returns an error,
// which Query returns as it is ([ErrStop]: nil). Records are decoded JSON objects (their
// "attributes" included; a relationship field is a nested map).
func (c *Client) Query(ctx context.Context, soql string, fn func(rec map[string]any) error) error {
	return c.query(ctx, "/query", soql, fn)
}

// QueryAll is Query over deleted records too (the recycle bin: IsDeleted
// = true), Salesforce's queryAll.
func (c *Client) QueryAll(ctx context.Context, soql string, fn func(rec map[string]any) error) error {
	return c.query(ctx, "/queryAll", soql, fn)
}

func (c *Client) query(ctx context.Context, resource, soql string, fn func(rec map[string]any) error) error {
	path := c.dataPath(resource + "?q=" + url.QueryEscape(soql))
	for pages := 0; ; pages++ {
		var page queryPage
		if err := c.Do(ctx, "GET", path, nil, &page); err != nil {
			return err
		}
		for _, rec := range page.Records {
			if err := fn(rec); errors.Is(err, ErrStop) {
				return nil
			} else if err != nil {
				return err
			}
		}
		if page.Done || page.NextRecordsURL == "" {
			return nil
		}
		if !strings.HasPrefix(page.NextRecordsURL, "/services/data/") {
			return fmt.Errorf("sfapi: query: nextRecordsUrl %q is not a data API path", page.NextRecordsURL)
		}
		path = page.NextRecordsURL
	}
}

// ErrStop may be returned by a Query callback to end the query early;
// Query then returns nil.
var ErrStop = errors.New("sfapi: stop")
