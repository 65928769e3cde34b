package salesforce

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/botforge/dialogd/nodes"
)

// apiError is one entry of Salesforce's error array:
// [{"message":…,"errorCode":…,"fields":[…]}], with the duplicate rule's
// matches when the code is DUPLICATES_DETECTED (REST spells the key
// duplicateResut; both spellings are read).
type apiError struct {
	Message   string        `json:"message"`
	ErrorCode string        `json:"errorCode"`
	Fields    []string      `json:"fields"`
	Dup       *duplicateSet `json:"duplicateResut"`
	Dup2      *duplicateSet `json:"duplicateResult"`
}

type duplicateSet struct {
	MatchResults []struct {
		EntityType   string `json:"entityType"`
		MatchRecords []struct {
			Record map[string]any `json:"record"`
		} `json:"matchRecords"`
	} `json:"matchResults"`
}

// duplicates returns the matching records of a DUPLICATES_DETECTED error.
func (e *apiError) duplicates() []map[string]any {
	d := e.Dup
	if d == nil {
		d = e.Dup2
	}
	if d == nil {
		return nil
	}
	var out []map[string]any
	for _, mr := range d.MatchResults {
		for _, r := range mr.MatchRecords {
			if r.Record != nil {
				out = append(out, r.Record)
			}
		}
	}
	return out
}

// outcomeKind is how the node answers a failed call.
type outcomeKind int

const (
	kindFailed      outcomeKind = iota // anything else: on_error or the failed text
	kindField                          // a field's value was refused: ask again
	kindDuplicate                      // DUPLICATES_DETECTED
	kindNotFound                       // NOT_FOUND, ENTITY_IS_DELETED
	kindUnavailable                    // limits, timeouts, 5xx: try again later
	kindUncertain                      // an earlier attempt may have taken effect
)

// fieldCodes are the errors that name a field whose value the user can
// change.
var fieldCodes = map[string]bool{
	"REQUIRED_FIELD_MISSING": true, "INVALID_EMAIL_ADDRESS": true, "STRING_TOO_LONG": true,
	"INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST": true, "FIELD_CUSTOM_VALIDATION_EXCEPTION": true,
	"FIELD_INTEGRITY_EXCEPTION": true, "INVALID_TYPE_ON_FIELD_IN_RECORD": true, "NUMBER_OUTSIDE_VALID_RANGE": true,
	"MALFORMED_ID": true,
}

// unavailableCodes are the errors that pass: try again later.
var unavailableCodes = map[string]bool{
	"REQUEST_LIMIT_EXCEEDED": true, "SERVER_UNAVAILABLE": true, "UNABLE_TO_LOCK_ROW": true,
}

// failure is a failed call, classified.
type failure struct {
	kind   outcomeKind
	code   string // errorCode, or a transport failure kind
	msg    string
	fields []string
	dups   []map[string]any
}

// classify reads a call's result that is not a success.
func classify(res nodes.APIResult) failure {
	switch res.Failure {
	case nodes.FailureTimeout, nodes.FailureNetwork:
		return failure{kind: kindUnavailable, code: res.Failure}
	case nodes.FailureUncertain:
		return failure{kind: kindUncertain, code: res.Failure}
	case "":
	default:
		return failure{kind: kindFailed, code: res.Failure}
	}
	var errs []apiError
	_ = json.Unmarshal(res.Body, &errs)
	f := failure{kind: kindFailed}
	if len(errs) > 0 {
		e := &errs[0]
		f.code, f.msg, f.fields = e.ErrorCode, e.Message, e.Fields
		switch {
		case e.ErrorCode == "DUPLICATES_DETECTED":
			f.kind, f.dups = kindDuplicate, e.duplicates()
		case e.ErrorCode == "NOT_FOUND" || e.ErrorCode == "ENTITY_IS_DELETED":
			f.kind = kindNotFound
		case unavailableCodes[e.ErrorCode]:
			f.kind = kindUnavailable
		case fieldCodes[e.ErrorCode]:
			f.kind = kindField
		}
	}
	if f.kind == kindFailed && (res.Status >= 500 || res.Status == http.StatusTooManyRequests) {
		f.kind = kindUnavailable
	}
	if f.code == "" {
		f.code = fmt.Sprintf("http_%d", res.Status)
	}
	return f
}
