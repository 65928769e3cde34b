package salesforce

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/botforge/dialogd/nodes"
)

// instance is the org's base URL for links, "" when the profile has none.
func (a *Action) instance(ctx context.Context, t *nodes.Turn) string {
	if t.Env == nil {
		return ""
	}
	b, ok := t.Env.Auth.(nodes.BaseURLer)
	if !ok {
		return ""
	}
	base, err := b.BaseURL(ctx, t, a.Auth)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(base, "/")
}

// recordLink is the record's page in the org's Lightning UI.
func recordLink(base, object, id string) string {
	if base == "" || id == "" {
		return ""
	}
	return base + "/lightning/r/" + url.PathEscape(object) + "/" + url.PathEscape(id) + "/view"
}

// cleanRecord drops a record's attributes and adds its link; nested parent
// records (Account.Name) lose their attributes too.
func cleanRecord(base, object string, r map[string]any) map[string]any {
	if attrs, ok := r["attributes"].(map[string]any); ok {
		if typ, ok := attrs["type"].(string); ok && typ != "" {
			object = typ
		}
	}
	delete(r, "attributes")
	for _, v := range r {
		if m, ok := v.(map[string]any); ok {
			delete(m, "attributes")
		}
	}
	if id, _ := r["Id"].(string); id != "" {
		r["link"] = recordLink(base, object, id)
	}
	return r
}

// stored is what a successful call leaves in the context.
func (a *Action) stored(ctx context.Context, t *nodes.Turn, c *call, res nodes.APIResult) (map[string]any, bool) {
	base := a.instance(ctx, t)
	out := map[string]any{"status": float64(res.Status)}
	var body map[string]any
	_ = json.Unmarshal(res.Body, &body)
	switch a.Operation {
	case OpCreate, OpUpsert:
		id, _ := body["id"].(string)
		rec := cloneMap(c.values)
		rec["Id"] = id
		out["id"], out["record"], out["link"] = id, rec, recordLink(base, a.Object, id)
		if a.Operation == OpUpsert {
			created, _ := body["created"].(bool)
			out["created"] = created || res.Status == 201
		}
	case OpUpdate:
		rec := cloneMap(c.values)
		rec["Id"] = c.id
		out["id"], out["record"], out["link"] = c.id, rec, recordLink(base, a.Object, c.id)
	case OpDelete:
		out["id"] = c.id
	case OpGet:
		rec := cleanRecord(base, a.Object, body)
		out["id"], out["record"], out["link"] = c.id, rec, rec["link"]
	case OpFind:
		recs := records(base, a.Object, body["records"])
		if c.phones != nil {
			recs = c.phones.keep(t, a.Region, recs, a.Limit)
		}
		out["records"], out["count"] = recs, float64(len(recs))
		return a.withFirst(out, recs), len(recs) > 0
	case OpSearch:
		recs := records(base, a.Object, body["searchRecords"])
		out["records"], out["count"] = recs, float64(len(recs))
		return a.withFirst(out, recs), len(recs) > 0
	case OpDescribe:
		out["picklists"] = a.picklists(body)
	}
	return out, true
}

// withFirst puts the first record of a list also as record, id and link:
// most lookups want one.
func (a *Action) withFirst(out map[string]any, recs []any) map[string]any {
	if len(recs) > 0 {
		first := recs[0].(map[string]any)
		out["record"], out["id"], out["link"] = first, first["Id"], first["link"]
	}
	return out
}

func records(base, object string, v any) []any {
	list, _ := v.([]any)
	out := make([]any, 0, len(list))
	for _, x := range list {
		if m, ok := x.(map[string]any); ok {
			out = append(out, cleanRecord(base, object, m))
		}
	}
	return out
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}
