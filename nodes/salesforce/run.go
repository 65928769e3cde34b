package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/botforge/dialogd/nodes"
)

// Run makes the node's call.
func (a *Action) Run(ctx context.Context, t *nodes.Turn) (nodes.Outcome, error) {
	if t.State != nil {
		t.State.Retries = 0
	}
	return a.attempt(ctx, t)
}

// Input is the user's answer to the offer to try again after Salesforce
// was unavailable: yes (or the button) tries again, no ends the task.
func (a *Action) Input(ctx context.Context, t *nodes.Turn, in nodes.Input) (nodes.Outcome, error) {
	v := in.Value()
	t.Memory.Input = v
	yes, ok := nodes.ParseYesNo(v, t.Lang, []string{retryPayload}, nil)
	switch {
	case ok && yes:
		return a.attempt(ctx, t)
	case ok:
		return nodes.FailWith(nodes.FailService, a.text(t, a.Texts.Failed, "salesforce.not_done")), nil
	}
	if t.State == nil {
		t.State = &nodes.NodeState{}
	}
	t.State.Retries++
	if t.State.Retries > nodes.DefaultRetries {
		return nodes.FailWith(nodes.FailRetries, ""), nil
	}
	a.offerRetry(t, t.Memory != nil && t.Memory.Nodes != nil && nodeError(t) == "REQUEST_LIMIT_EXCEEDED")
	return nodes.Wait(), nil
}

// retryPayload is what the try-again button sends.
const retryPayload = "salesforce:retry"

// attempt renders and makes the call and reads its answer.
func (a *Action) attempt(ctx context.Context, t *nodes.Turn) (nodes.Outcome, error) {
	start := time.Now()
	c, err := a.request(t)
	switch {
	case errors.Is(err, errBadID), errors.Is(err, errShortSearch):
		return a.failed(ctx, t, failure{kind: kindNotFound, code: "INVALID_ID"})
	case errors.Is(err, errNoMatch):
		return a.foundNothing(t), nil
	case err != nil:
		return nodes.Outcome{}, fmt.Errorf("salesforce %s: %w", a.Operation, err)
	}
	var res nodes.APIResult
	cacheKey := ""
	if a.Operation == OpDescribe {
		cacheKey = a.instance(ctx, t) + "|" + a.APIVersion + "|" + a.Object
		if body, ok := describes.get(cacheKey); ok {
			t.Memory.SetNode(t.NodeID, map[string]any{"status": float64(http.StatusOK), "picklists": a.picklists(body)})
			return nodes.Next(), nil
		}
	}
	if a.Operation == OpCreate && len(a.matchOn) > 0 {
		find := func(ctx context.Context) (nodes.APIResult, bool) { return a.findCreated(ctx, t, c) }
		// An event run (conversation_end) has no session to record its
		// calls in, and may be a second run after a process died: it
		// always looks first.
		if a.wasUncertain(t) || t.Event != "" {
			if found, ok := find(ctx); ok {
				return a.succeeded(ctx, t, c, found, start)
			}
		}
		c.api.BeforeResend = find
	}
	res = c.api.Do(ctx, t)
	if res.Failure != "" && errors.Is(res.Err, context.Canceled) && ctx.Err() != nil {
		return nodes.Outcome{}, fmt.Errorf("salesforce %s: %w", t.NodeID, ctx.Err())
	}
	if out, ok := res.Authorization(t, a.Auth); ok {
		a.observe(t, res, time.Since(start))
		return out, nil
	}
	if a.Operation == OpConvertLead {
		return a.converted(ctx, t, c, res, start)
	}
	if !res.OK() {
		f := classify(res)
		if a.Operation == OpDelete && f.code == "ENTITY_IS_DELETED" {
			return a.succeeded(ctx, t, c, nodes.APIResult{Status: http.StatusNoContent}, start)
		}
		a.observe(t, res, time.Since(start))
		return a.failed(ctx, t, f)
	}
	if cacheKey != "" {
		var body map[string]any
		if json.Unmarshal(res.Body, &body) == nil {
			describes.put(cacheKey, body)
		}
	}
	return a.succeeded(ctx, t, c, res, start)
}

// succeeded stores the results and goes on; a find or search that found
// nothing goes to on_not_found when it is set.
func (a *Action) succeeded(ctx context.Context, t *nodes.Turn, c *call, res nodes.APIResult, start time.Time) (nodes.Outcome, error) {
	a.observe(t, res, time.Since(start))
	a.setUncertain(t, false)
	out, found := a.stored(ctx, t, c, res)
	t.Memory.SetNode(t.NodeID, out)
	if !found && a.OnNotFound != "" {
		return nodes.GoTo(a.OnNotFound), nil
	}
	return nodes.Next(), nil
}

// foundNothing is the result of a find that could match nothing, made
// without a call: no records, and on to on_not_found when it is set.
func (a *Action) foundNothing(t *nodes.Turn) nodes.Outcome {
	a.setUncertain(t, false)
	t.Memory.SetNode(t.NodeID, map[string]any{"records": []any{}, "count": float64(0)})
	if a.OnNotFound != "" {
		return nodes.GoTo(a.OnNotFound)
	}
	return nodes.Next()
}

// converted reads a convertLead answer.
func (a *Action) converted(ctx context.Context, t *nodes.Turn, c *call, res nodes.APIResult, start time.Time) (nodes.Outcome, error) {
	if res.Failure != "" {
		a.observe(t, res, time.Since(start))
		return a.failed(ctx, t, classify(res))
	}
	ids, f := readConvert(res)
	a.observe(t, res, time.Since(start))
	if f != nil {
		return a.failed(ctx, t, *f)
	}
	base := a.instance(ctx, t)
	ids["id"], ids["status"] = c.id, float64(res.Status)
	ids["account_link"] = recordLink(base, "Account", ids["account_id"].(string))
	ids["contact_link"] = recordLink(base, "Contact", ids["contact_id"].(string))
	ids["opportunity_link"] = recordLink(base, "Opportunity", ids["opportunity_id"].(string))
	t.Memory.SetNode(t.NodeID, ids)
	return nodes.Next(), nil
}

// findCreated looks for the record an earlier attempt of this create may
// have made, by the match_on fields' values; found, it stands for the
// create's answer.
func (a *Action) findCreated(ctx context.Context, t *nodes.Turn, c *call) (nodes.APIResult, bool) {
	var conds []string
	for _, f := range a.matchOn {
		v, ok := c.values[f].(string)
		if !ok || v == "" {
			return nodes.APIResult{}, false
		}
		conds = append(conds, f+" = '"+nodes.EscapeSOQL(v)+"'")
	}
	q := "SELECT Id FROM " + a.Object + " WHERE " + strings.Join(conds, " AND ") + " ORDER BY CreatedDate DESC LIMIT 1"
	look := nodes.APICall{Method: http.MethodGet, Auth: a.Auth, Timeout: a.timeout, URL: a.dataPath("query") + "?q=" + url.QueryEscape(q)}
	res := look.Do(ctx, t)
	if !res.OK() {
		return nodes.APIResult{}, false
	}
	var body struct {
		Records []struct {
			ID string `json:"Id"`
		} `json:"records"`
	}
	if json.Unmarshal(res.Body, &body) != nil || len(body.Records) == 0 {
		return nodes.APIResult{}, false
	}
	found, _ := json.Marshal(map[string]any{"id": body.Records[0].ID, "success": true, "errors": []any{}})
	if t.Env != nil && t.Env.Log != nil {
		t.Env.Log.InfoContext(ctx, "salesforce create found the record an earlier attempt made", "node", t.NodeID, "object", a.Object)
	}
	return nodes.APIResult{Status: http.StatusCreated, Body: found, Host: res.Host}, true
}

// wasUncertain reports whether the node's last attempt in this dialog may
// have taken effect without an answer (a timeout or a 5xx before the
// user tried again).
func (a *Action) wasUncertain(t *nodes.Turn) bool {
	return t.State != nil && t.State.Data["uncertain"] == true
}

func (a *Action) setUncertain(t *nodes.Turn, v bool) {
	if !v {
		if t.State != nil {
			delete(t.State.Data, "uncertain")
		}
		return
	}
	if t.State == nil {
		t.State = &nodes.NodeState{}
	}
	if t.State.Data == nil {
		t.State.Data = map[string]any{}
	}
	t.State.Data["uncertain"] = true
}

// observe tells the host's observer (metrics) about the call.
func (a *Action) observe(t *nodes.Turn, res nodes.APIResult, d time.Duration) {
	if t.Env == nil || t.Env.ServiceObserver == nil {
		return
	}
	var err error
	if res.Failure != "" {
		err = &nodes.ServiceError{Node: t.NodeID, Kind: res.Failure, Err: res.Err}
	}
	t.Env.ServiceObserver(t.NodeID, res.Status, d, err)
}

// nodeError is the error the node recorded, "" when none.
func nodeError(t *nodes.Turn) string {
	m, _ := t.Memory.Nodes[t.NodeID].(map[string]any)
	code, _ := m["error"].(string)
	return code
}
