package salesforce

import (
	"slices"
	"sync"
	"time"
)

// picklists reads the picklist values of a describe answer: field →
// [{value, label, default}], active values only, for the node's Picklists
// or every picklist field.
func (a *Action) picklists(body map[string]any) map[string]any {
	out := map[string]any{}
	fields, _ := body["fields"].([]any)
	for _, f := range fields {
		fm, _ := f.(map[string]any)
		name, _ := fm["name"].(string)
		typ, _ := fm["type"].(string)
		if typ != "picklist" && typ != "multipicklist" {
			continue
		}
		if len(a.Picklists) > 0 && !slices.Contains(a.Picklists, name) {
			continue
		}
		vals, _ := fm["picklistValues"].([]any)
		list := make([]any, 0, len(vals))
		for _, v := range vals {
			vm, _ := v.(map[string]any)
			if active, ok := vm["active"].(bool); ok && !active {
				continue
			}
			label, _ := vm["label"].(string)
			value, _ := vm["value"].(string)
			if label == "" {
				label = value
			}
			def, _ := vm["defaultValue"].(bool)
			list = append(list, map[string]any{"value": value, "label": label, "default": def})
		}
		out[name] = list
	}
	return out
}

// describeTTL is how long an object's describe answer is used; orgs change
// their picklists rarely, and an hour-old list only costs a refused value.
const describeTTL = 10 * time.Minute

// maxDescribes bounds the cache: orgs × objects × API versions.
const maxDescribes = 512

// describeCache keeps describe answers per org, API version and object,
// for the process: a picklist question does not cost a call each time.
type describeCache struct {
	mu      sync.Mutex
	entries map[string]describeEntry
	now     func() time.Time
}

type describeEntry struct {
	body map[string]any
	at   time.Time
}

var describes = &describeCache{entries: map[string]describeEntry{}, now: time.Now}

func (c *describeCache) get(key string) (map[string]any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || c.now().Sub(e.at) > describeTTL {
		return nil, false
	}
	return e.body, true
}

func (c *describeCache) put(key string, body map[string]any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxDescribes {
		var oldest string
		var at time.Time
		for k, e := range c.entries {
			if oldest == "" || e.at.Before(at) {
				oldest, at = k, e.at
			}
		}
		delete(c.entries, oldest)
	}
	c.entries[key] = describeEntry{body: body, at: c.now()}
}
