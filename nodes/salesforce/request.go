package salesforce

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/botforge/dialogd/nodes"
)

// recordIDRE is a Salesforce record id, 15 or 18 characters.
var recordIDRE = regexp.MustCompile(`^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$`)

// errBadID is the error of a record id that is not one: the call is not
// made (the value goes into the URL's path).
var errBadID = errors.New("not a Salesforce record id")

func (a *Action) dataPath(parts ...string) string {
	p := "/services/data/v" + a.APIVersion
	for _, s := range parts {
		p += "/" + url.PathEscape(s)
	}
	return p
}

// recordID renders the node's record id and checks that it is one.
func (a *Action) recordID(t *nodes.Turn) (string, error) {
	id, err := a.RecordID.Render(t, nodes.EscapeText)
	if err != nil {
		return "", fmt.Errorf("record_id: %w", err)
	}
	id = strings.TrimSpace(id)
	if !recordIDRE.MatchString(id) {
		return "", errBadID
	}
	return id, nil
}

// fieldValues renders the fields; a value that renders empty is left out.
func (a *Action) fieldValues(t *nodes.Turn) (map[string]any, error) {
	v, err := a.fields.Value(t)
	if err != nil {
		return nil, fmt.Errorf("fields: %w", err)
	}
	m, _ := v.(map[string]any)
	for k, x := range m {
		if x == nil || x == "" {
			delete(m, k)
		}
	}
	return m, nil
}

// call is a rendered API call and what the node needs to read its answer.
type call struct {
	api    nodes.APICall
	values map[string]any // create, update, upsert: the fields sent
	id     string         // the record id the call is about
	phones *phoneFilter   // find: what its records' phone fields must hold
}

// request renders the node's call for the turn.
func (a *Action) request(t *nodes.Turn) (*call, error) {
	c := &call{api: nodes.APICall{Method: http.MethodGet, Auth: a.Auth, Timeout: a.timeout}}
	var err error
	switch a.Operation {
	case OpCreate:
		c.api.Method, c.api.URL = http.MethodPost, a.dataPath("sobjects", a.Object)
		err = c.jsonBody(a, t)
	case OpUpdate:
		if c.id, err = a.recordID(t); err == nil {
			c.api.Method, c.api.URL, c.api.Resendable = http.MethodPatch, a.dataPath("sobjects", a.Object, c.id), true
			err = c.jsonBody(a, t)
		}
	case OpUpsert:
		var v string
		if v, err = a.ExternalID.Value.Render(t, nodes.EscapeText); err == nil {
			if strings.TrimSpace(v) == "" {
				return nil, errors.New("external_id: the value is empty")
			}
			c.api.Method, c.api.URL, c.api.Resendable = http.MethodPatch, a.dataPath("sobjects", a.Object, a.ExternalID.Field, v), true
			err = c.jsonBody(a, t)
		}
	case OpDelete:
		if c.id, err = a.recordID(t); err == nil {
			c.api.Method, c.api.URL = http.MethodDelete, a.dataPath("sobjects", a.Object, c.id)
		}
	case OpGet:
		if c.id, err = a.recordID(t); err == nil {
			c.api.URL = a.dataPath("sobjects", a.Object, c.id) + "?fields=" + url.QueryEscape(strings.Join(withID(a.selectList()), ","))
		}
	case OpFind:
		var q string
		if q, c.phones, err = a.findQuery(t); err == nil {
			c.api.URL = a.dataPath("query") + "?q=" + url.QueryEscape(q)
		}
	case OpSearch:
		err = a.searchRequest(t, c)
	case OpDescribe:
		c.api.URL = a.dataPath("sobjects", a.Object, "describe")
	case OpConvertLead:
		err = a.convertRequest(t, c)
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (c *call) jsonBody(a *Action, t *nodes.Turn) error {
	vals, err := a.fieldValues(t)
	if err != nil {
		return err
	}
	b, err := json.Marshal(vals)
	if err != nil {
		return fmt.Errorf("fields: %w", err)
	}
	c.values, c.api.Body, c.api.ContentType = vals, b, "application/json"
	return nil
}

// minSearchTerm is the shortest term parameterizedSearch takes.
const minSearchTerm = 2

// errShortSearch is the error of a search term too short to search for.
var errShortSearch = errors.New("search: the term needs at least 2 characters")

// searchRequest is a parameterizedSearch: the term is a query parameter,
// never SOSL syntax.
func (a *Action) searchRequest(t *nodes.Turn, c *call) error {
	term, err := a.Search.Render(t, nodes.EscapeText)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	term = strings.TrimSpace(term)
	if len([]rune(term)) < minSearchTerm {
		return errShortSearch
	}
	q := url.Values{}
	q.Set("q", term)
	q.Set("sobject", a.Object)
	q.Set(a.Object+".fields", strings.Join(withID(a.selectList()), ","))
	q.Set(a.Object+".limit", strconv.Itoa(a.Limit))
	if a.SearchIn != "" {
		q.Set("in", strings.ToUpper(a.SearchIn))
	}
	c.api.URL = a.dataPath("parameterizedSearch") + "?" + q.Encode()
	return nil
}
