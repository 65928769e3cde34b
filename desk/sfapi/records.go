package sfapi

import (
	"context"
	"fmt"
	"net/url"
	"strings"
)

// Get reads the record object/id into out (a map or a struct with JSON
// tags); fields lists the fields to return (none: all).
func (c *Client) Get(ctx context.Context, object, id string, fields []string, out any) error {
	path := c.dataPath("/sobjects/" + url.PathEscape(object) + "/" + url.PathEscape(id))
	if len(fields) > 0 {
		path += "?fields=" + url.QueryEscape(strings.Join(fields, ","))
	}
	return c.Do(ctx, "GET", path, nil, out)
}

// createResult is Salesforce's answer to a create.
type createResult struct {
	ID      string `json:"id"`
	Success bool   `json:"success"`
}

// Create inserts a record of object with fields and returns its id.
func (c *Client) Create(ctx context.Context, object string, fields map[string]any) (string, error) {
	var res createResult
	if err := c.Do(ctx, "POST", c.dataPath("/sobjects/"+url.PathEscape(object)), fields, &res); err != nil {
		return "", err
	}
	if !res.Success || res.ID == "" {
		return "", fmt.Errorf("sfapi: create %s: salesforce returned no id", object)
	}
	return res.ID, nil
}

// Update sets fields on the record object/id.
func (c *Client) Update(ctx context.Context, object, id string, fields map[string]any) error {
	return c.Do(ctx, "PATCH", c.dataPath("/sobjects/"+url.PathEscape(object)+"/"+url.PathEscape(id)), fields, nil)
}

// Delete deletes the record object/id (to the recycle bin).
func (c *Client) Delete(ctx context.Context, object, id string) error {
	return c.Do(ctx, "DELETE", c.dataPath("/sobjects/"+url.PathEscape(object)+"/"+url.PathEscape(id)), nil, nil)
}

// Apex calls an Apex REST class: method on /services/apexrest/ + path,
// body as JSON (nil: none), the JSON answer decoded into out (nil:
// ignored).
func (c *Client) Apex(ctx context.Context, method, path string, body, out any) error {
	return c.Do(ctx, method, "/services/apexrest/"+strings.TrimPrefix(path, "/"), body, out)
}
