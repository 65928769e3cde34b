package nodes

import (
	"fmt"
	"strings"
	"testing"
)

// aliasBomb writes levels anchored lists under indent, each of ten
// aliases of the one before: 10^levels scalars in a few hundred bytes.
func aliasBomb(indent string, levels int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%sl0: &l0 [%s]\n", indent, strings.TrimSuffix(strings.Repeat("lol,", 10), ","))
	for i := 1; i < levels; i++ {
		fmt.Fprintf(&b, "%sl%d: &l%d [%s]\n", indent, i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d,", i-1), 10), ","))
	}
	return b.String()
}

const limitMsg = "the limit for a designer file"

// TestParseYAMLRefusesCostlyFiles: a file whose aliases stand for too
// many nodes, that nests too deeply or is too large is refused by the
// parser, before any decoder follows an alias, at the place it goes over.
func TestParseYAMLRefusesCostlyFiles(t *testing.T) {
	deep := strings.Repeat("[", 101) + strings.Repeat("]", 101)
	tests := []struct{ name, src, want string }{
		{"alias bomb in a service body",
			"method: POST\nurl: http://127.0.0.1:1/x\nbody:\n" + aliasBomb("  ", 9),
			"node.yaml:7:40: body.l3[7]: alias *l2 takes the nodes reached through aliases past 10000, " + limitMsg + "; write the values out or share less"},
		{"alias bomb in a logic set value",
			"set:\n  - name: x\n    value:\n" + aliasBomb("      ", 9),
			"node.yaml:7:44: set[0].value.l3[7]: alias *l2 takes the nodes reached through aliases past 10000, " + limitMsg + "; write the values out or share less"},
		{"alias inside the value it names",
			"set:\n  - name: x\n    value: &v [1, *v]\n",
			"node.yaml:3:19: set[0].value[1]: alias *v is inside the value it names, which would never end"},
		{"nested too deeply",
			"body: " + deep + "\n",
			"node.yaml:1:106: body" + strings.Repeat("[0]", 99) + ": nested deeper than 100 levels, " + limitMsg},
		{"nested too deeply through an alias",
			"a: &a " + strings.Repeat("[", 60) + strings.Repeat("]", 60) + "\nb: " + strings.Repeat("[", 50) + "*a" + strings.Repeat("]", 50) + "\n",
			"node.yaml:2:54: b" + strings.Repeat("[0]", 50) + ": nested deeper than 100 levels through alias *a, " + limitMsg},
		{"file over the size limit",
			"text: |\n" + strings.Repeat("  please book a demo for me\n", 40_000),
			"node.yaml:37450:25: file is larger than 1 MiB, " + limitMsg + "; split it or shorten it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseYAML("node.yaml", []byte(tt.src))
			if err == nil {
				t.Fatalf("ParseYAML accepted the file; want %s", tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("ParseYAML:\ngot  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestParseYAMLKeepsSharing: aliases used the way designers share a
// header map or a list decode as before.
func TestParseYAMLKeepsSharing(t *testing.T) {
	var b strings.Builder
	b.WriteString("shared: &h {Accept: application/json, X-Trace: \"{{ conversation.id }}\"}\nservices:\n")
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&b, "  - {url: http://127.0.0.1:1/%d, headers: *h, body: {a: *h}}\n", i)
	}
	root, err := ParseYAML("node.yaml", []byte(b.String()))
	if err != nil {
		t.Fatalf("ParseYAML: %v", err)
	}
	var v struct {
		Shared   map[string]string `yaml:"shared"`
		Services []struct {
			URL     string            `yaml:"url"`
			Headers map[string]string `yaml:"headers"`
			Body    Body              `yaml:"body"`
		} `yaml:"services"`
	}
	if errs := DecodeYAML("node.yaml", root, "", &v); len(errs) > 0 {
		t.Fatalf("DecodeYAML: %v", errs)
	}
	if got := v.Services[199].Headers["Accept"]; len(v.Services) != 200 || got != "application/json" {
		t.Errorf("decoded %d services, last Accept %q; want 200 and application/json", len(v.Services), got)
	}
}

// TestBodyBoundsAliases: a body decoded from YAML that did not go
// through ParseYAML (ParseBody, a node built by hand) still stops after
// maxBodyNodes values, aliases followed.
func TestBodyBoundsAliases(t *testing.T) {
	_, err := ParseBody(aliasBomb("", 5))
	want := ": more than 20000 values, aliases followed"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("ParseBody(5 levels of 10 aliases) error = %v; want one containing %q", err, want)
	}
}
