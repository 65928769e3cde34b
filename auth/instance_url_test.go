package auth

import "testing"

// TestCheckInstanceURL: the instance_url of a token response is the base of
// every relative service URL and a host the credential goes to; only a
// plain https base (http on loopback) is taken. Before, any string was.
func TestCheckInstanceURL(t *testing.T) {
	tests := []struct {
		raw string
		ok  bool
	}{
		{"", true},
		{"https://acme.my.salesforce.com", true},
		{"https://acme.my.salesforce.com/", true},
		{"https://na1.salesforce.com:443", true},
		{"http://127.0.0.1:9100", true},
		{"http://localhost:9100", true},
		{"http://acme.my.salesforce.com", false},
		{"https://evil.example@acme.my.salesforce.com", false},
		{"https://acme.my.salesforce.com/services/data", false},
		{"https://acme.my.salesforce.com?x=1", false},
		{"https://acme.my.salesforce.com?", false},
		{"https://acme.my.salesforce.com#f", false},
		{"javascript:alert(1)", false},
		{"https:acme.my.salesforce.com", false},
		{"//evil.example", false},
		{"https://:443", false},
		{"acme.my.salesforce.com", false},
	}
	for _, tt := range tests {
		err := checkInstanceURL(tt.raw)
		if got := err == nil; got != tt.ok {
			t.Errorf("checkInstanceURL(%q) = %v; want ok %v", tt.raw, err, tt.ok)
		}
	}
}
