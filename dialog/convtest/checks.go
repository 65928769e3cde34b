package convtest

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/botforge/dialogd/nodes"
)

// checkKinds wants every kind written in kind among the answer's.
func checkKinds(kind string, a answer) *Failure {
	wanted, _ := parseKinds(kind) // checked by Problems
	got := a.kinds
	if a.err != nil {
		got = []string{"error"}
	}
	missing := slices.ContainsFunc(wanted, func(k string) bool { return !slices.Contains(got, k) })
	if !missing {
		return nil
	}
	have := strings.Join(got, ", ")
	if have == "" {
		have = "no frames"
	}
	return &Failure{Check: "kind", Want: strings.Join(wanted, ", "), Got: have}
}

// checkContext compares each wanted path with the conversation's
// context after the turn: the stored one, or, when the turn ended its
// task and no other runs, the task's as it ended.
func (r *run) checkContext(ctx context.Context, want Values) *Failure {
	snap, err := r.rt.Peek(ctx, r.session)
	if err != nil {
		return &Failure{Check: "context", Msg: err.Error()}
	}
	mem := &snap.Memory
	if snap.Task == "" && r.ended != nil {
		mem = r.ended
	}
	var wants, gots []string
	for _, path := range sortedKeys(want) {
		got, ok := mem.Lookup(nodes.SplitPath(path), 0)
		if !ok {
			got = nil
		}
		if !matchValue(want[path], got) {
			wants = append(wants, path+": "+formatValue(want[path]))
			gots = append(gots, path+": "+formatValue(got))
		}
	}
	if len(wants) == 0 {
		return nil
	}
	return &Failure{Check: "context", Want: strings.Join(wants, "\n"), Got: strings.Join(gots, "\n")}
}

// Records is a Salesforce org as tests see it.
type Records interface {
	// Query runs SOQL and returns the rows' fields.
	Query(ctx context.Context, soql string) ([]map[string]any, error)
	// Create inserts a record and returns its id.
	Create(ctx context.Context, object string, fields map[string]any) (string, error)
}

// seed creates the given records.
func (r *run) seed(ctx context.Context, g *Given) error {
	if g == nil || len(g.Records) == 0 {
		return nil
	}
	if r.env.Records == nil {
		return fmt.Errorf("given records: no Salesforce org to create them in")
	}
	for _, object := range sortedKeys(g.Records) {
		for i, fields := range g.Records[object] {
			if _, err := r.env.Records.Create(ctx, object, fields); err != nil {
				return fmt.Errorf("given records %s[%d]: %w", object, i, err)
			}
		}
	}
	return nil
}

// checkRecords runs the query and compares its rows.
func (r *run) checkRecords(ctx context.Context, rc *RecordsCheck) *Failure {
	if r.env.Records == nil {
		return &Failure{Check: "records", Msg: "no Salesforce org to query"}
	}
	rows, err := r.env.Records.Query(ctx, rc.SOQL)
	if err != nil {
		return &Failure{Check: "records", Query: rc.SOQL, Msg: err.Error()}
	}
	if rc.Count != nil {
		if len(rows) == *rc.Count {
			return nil
		}
		return &Failure{Check: "records", Query: rc.SOQL, Want: plural(*rc.Count, "row"),
			Got: plural(len(rows), "row") + formatRows(rows, nil)}
	}
	if rowsMatch(rc.Rows, rows) {
		return nil
	}
	fields := wantedFields(rc.Rows)
	return &Failure{Check: "records", Query: rc.SOQL,
		Want: plural(len(rc.Rows), "row") + formatRows(valuesRows(rc.Rows), fields),
		Got:  plural(len(rows), "row") + formatRows(rows, fields)}
}

// rowsMatch pairs every wanted row with a distinct row of got, and
// wants no row left over.
func rowsMatch(want []Values, got []map[string]any) bool {
	if len(want) != len(got) {
		return false
	}
	used := make([]bool, len(got))
	for _, w := range want {
		found := false
		for j, g := range got {
			if !used[j] && rowMatches(w, g) {
				used[j], found = true, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func rowMatches(want Values, got map[string]any) bool {
	for k, v := range want {
		if !matchValue(v, fieldOf(got, k)) {
			return false
		}
	}
	return true
}

// fieldOf reads a field by name, case-insensitively as Salesforce does,
// and a relationship's field as Account.Name.
func fieldOf(row map[string]any, name string) any {
	head, rest, nested := strings.Cut(name, ".")
	for k, v := range row {
		if !strings.EqualFold(k, head) {
			continue
		}
		if !nested {
			return v
		}
		if m, ok := v.(map[string]any); ok {
			return fieldOf(m, rest)
		}
		return nil
	}
	return nil
}

// wantedFields are the fields the wanted rows name, in order of first
// mention.
func wantedFields(rows []Values) []string {
	var out []string
	for _, r := range rows {
		for _, k := range sortedKeys(r) {
			if !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	return out
}

func valuesRows(rows []Values) []map[string]any {
	out := make([]map[string]any, len(rows))
	for i, r := range rows {
		out[i] = r
	}
	return out
}

// formatRows writes rows one a line, "  {Field: value, …}", with the
// fields given (all but attributes when nil).
func formatRows(rows []map[string]any, fields []string) string {
	var b strings.Builder
	for _, row := range rows {
		names := fields
		if names == nil {
			for _, k := range sortedKeys(row) {
				if k != "attributes" {
					names = append(names, k)
				}
			}
		}
		parts := make([]string, len(names))
		for i, f := range names {
			parts[i] = f + ": " + formatValue(fieldOf(row, f))
		}
		fmt.Fprintf(&b, "\n  {%s}", strings.Join(parts, ", "))
	}
	return b.String()
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
