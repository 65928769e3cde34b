package templates

import (
	"errors"
	"strings"
	"testing"

	"github.com/botforge/dialogd/nodes"
)

func TestDeclareProfile(t *testing.T) {
	lines := []string{"# new", "kind: bearer", "secret: {env: TOKEN}"}
	tests := []struct {
		name    string
		in      string
		replace bool
		want    string
		err     error
	}{
		{name: "no auth_profiles", in: "name: b\n",
			want: "name: b\nauth_profiles:\n  # new\n  api:\n    kind: bearer\n    secret: {env: TOKEN}\n"},
		{name: "beside another", in: "name: b\nauth_profiles:\n    other:\n        kind: none\nevents: {}\n",
			want: "name: b\nauth_profiles:\n    # new\n    api:\n      kind: bearer\n      secret: {env: TOKEN}\n    other:\n        kind: none\nevents: {}\n"},
		{name: "exists", in: "name: b\nauth_profiles:\n  api:\n    kind: none\n", err: ErrProfileExists},
		{name: "replaced with its comments, the next entry's kept", replace: true,
			in:   "name: b\nauth_profiles:\n  # old\n  api:\n    kind: none\n    scopes:\n      - a\n\n  # the other one\n  other:\n    kind: none\n# tail\nevents: {}\n",
			want: "name: b\nauth_profiles:\n  # new\n  api:\n    kind: bearer\n    secret: {env: TOKEN}\n\n  # the other one\n  other:\n    kind: none\n# tail\nevents: {}\n"},
		{name: "replaced, the only one", replace: true,
			in:   "name: b\nauth_profiles:\n  api:\n    kind: none\nevents: {}\n",
			want: "name: b\nauth_profiles:\n  # new\n  api:\n    kind: bearer\n    secret: {env: TOKEN}\nevents: {}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DeclareProfile([]byte(tt.in), "api", lines, tt.replace)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestDeclareProfileParsesLikeTheLoader: bot.yaml is parsed with the
// loader's limits and its problems read bot.yaml:line:col, as lint says
// them (plain yaml.Unmarshal took an alias bomb and said "yaml: line 2").
func TestDeclareProfileParsesLikeTheLoader(t *testing.T) {
	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f"} {
		bomb += n + ": &" + n + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n"
		prev = n
	}
	tests := []struct {
		name, in, want string
	}{
		{"a syntax error", "name: b\nauth_profiles: [\n", "bot.yaml:2:1: did not find expected node content"},
		{"too many aliased nodes", bomb, "bot.yaml:"},
		{"too large", "name: b\n# " + strings.Repeat("x", 1<<20) + "\n", "bot.yaml:2:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DeclareProfile([]byte(tt.in), "api", []string{"kind: none"}, false)
			var problems nodes.ConfigErrors
			if !errors.As(err, &problems) || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("err = %.200v, want nodes.ConfigErrors starting %q", err, tt.want)
			}
		})
	}
}
