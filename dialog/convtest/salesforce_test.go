package convtest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/botforge/dialogd/internal/salesforcetest"
)

// TestSalesforceErrors: what the org refuses comes back prefixed by the
// package, with the method, the status and Salesforce's error codes.
func TestSalesforceErrors(t *testing.T) {
	org := salesforcetest.Start(t, "convtest")
	sf := org.Records(t)
	ctx := context.Background()
	_, queryErr := sf.Query(ctx, "SELEKT Id FROM Lead")
	_, createErr := sf.Create(ctx, "Lead", map[string]any{"Company": "No Name Ltd"})
	_, objectErr := sf.Create(ctx, "Nonsense__c", map[string]any{"Name": "x"})
	tests := []struct {
		name string
		err  error
		want string // prefix
	}{
		{"a bad query", queryErr, "convtest: salesforce GET: status 400: MALFORMED_QUERY: "},
		{"a required field missing", createErr, "convtest: salesforce POST: status 400: REQUIRED_FIELD_MISSING: "},
		{"an unknown object", objectErr, "convtest: salesforce POST: status 404: NOT_FOUND: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil || !strings.HasPrefix(tt.err.Error(), tt.want) {
				t.Errorf("error = %v, want it to start with %q", tt.err, tt.want)
			}
		})
	}
	if id, err := sf.Create(ctx, "Lead", map[string]any{"LastName": "Fine", "Company": "Fine Ltd"}); err != nil || id == "" {
		t.Errorf("a valid create = %q, %v", id, err)
	}
}
