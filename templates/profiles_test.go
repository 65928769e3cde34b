package templates

import (
	"errors"
	"testing"
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
