package soql

import (
	"slices"
	"strings"
)

// executor runs a plan.
type executor struct {
	src  Source
	opt  Options
	semi map[*plan]map[string]bool // semi-join results by subquery
}

// semiSet runs a semi-join subquery once and returns its ids.
func (ex *executor) semiSet(pl *plan) map[string]bool {
	if set, ok := ex.semi[pl]; ok {
		return set
	}
	set := map[string]bool{}
	recs := ex.candidates(pl)
	n := 0
	for _, r := range recs {
		if pl.q.Limit >= 0 && n >= pl.q.Limit {
			break
		}
		n++
		if s, ok := ex.value(r, &pl.items[0].path).(string); ok && s != "" {
			set[idKey(s)] = true
		}
	}
	if ex.semi == nil {
		ex.semi = map[*plan]map[string]bool{}
	}
	ex.semi[pl] = set
	return set
}

func (ex *executor) run(pl *plan) *Result {
	recs := ex.candidates(pl)
	ex.sort(pl, recs)
	recs = window(recs, pl.q.Offset, pl.q.Limit)

	switch {
	case pl.count:
		n := len(recs)
		return &Result{TotalSize: n, Records: []map[string]any{}, Count: &n}
	case pl.agg != nil:
		n := 0
		for _, r := range recs {
			if v := ex.value(r, pl.agg); v != nil && v != "" {
				n++
			}
		}
		row := map[string]any{"attributes": map[string]any{"type": "AggregateResult"}, pl.aggName: float64(n)}
		return &Result{TotalSize: 1, Records: []map[string]any{row}}
	}
	children := ex.children(pl, recs)
	out := make([]map[string]any, len(recs))
	for i, r := range recs {
		out[i] = ex.project(pl, r, children)
	}
	return &Result{TotalSize: len(out), Records: out}
}

func window(recs []map[string]any, offset, limit int) []map[string]any {
	if offset > 0 {
		if offset >= len(recs) {
			return recs[:0]
		}
		recs = recs[offset:]
	}
	if limit >= 0 && limit < len(recs) {
		recs = recs[:limit]
	}
	return recs
}

// candidates returns the records that match the WHERE clause, narrowed
// first by Get or an index for a top-level equality when it can.
func (ex *executor) candidates(pl *plan) []map[string]any {
	recs, filtered := ex.lookup(pl)
	if filtered || pl.where == nil {
		return recs
	}
	kept := recs[:0]
	for _, r := range recs {
		if pl.where(ex, r) {
			kept = append(kept, r)
		}
	}
	return kept
}

// lookup returns candidate records; filtered reports that they already
// passed the WHERE clause.
func (ex *executor) lookup(pl *plan) (recs []map[string]any, filtered bool) {
	name := pl.obj.Name()
	if !ex.opt.All {
		for _, k := range pl.index {
			if strings.EqualFold(k.field.Name, "Id") {
				if r, ok := ex.src.Get(name, k.value); ok {
					return []map[string]any{r}, false
				}
				return nil, true
			}
		}
		if ix, ok := ex.src.(Indexed); ok {
			for _, k := range pl.index {
				if recs, ok := ix.Lookup(name, k.field.Name, k.value); ok {
					return slices.Clone(recs), false
				}
			}
		}
	}
	collect := func(r map[string]any) bool {
		if pl.where == nil || pl.where(ex, r) {
			recs = append(recs, r)
		}
		return true
	}
	if all, ok := ex.src.(AllScanner); ok && ex.opt.All {
		all.ScanAll(name, collect)
	} else {
		ex.src.Scan(name, collect)
	}
	return recs, true
}

// parent follows one hop from rec; it returns nil when the reference is
// empty or dangling.
func (ex *executor) parent(rec map[string]any, h *hop) (map[string]any, Object) {
	id, _ := rec[h.ref.Name].(string)
	if id == "" {
		return nil, nil
	}
	for _, o := range h.targets {
		if r, ok := ex.src.Get(o.Name(), id); ok {
			return r, o
		}
	}
	return nil, nil
}

// value reads a resolved path from rec.
func (ex *executor) value(rec map[string]any, p *path) any {
	for i := range p.hops {
		rec, _ = ex.parent(rec, &p.hops[i])
		if rec == nil {
			return nil
		}
	}
	return rec[p.field.Name]
}

// sort orders recs by the ORDER BY keys; nulls sort first unless NULLS LAST.
func (ex *executor) sort(pl *plan, recs []map[string]any) {
	if len(pl.orders) == 0 || len(recs) < 2 {
		return
	}
	type keyed struct {
		rec  map[string]any
		keys []any
	}
	ks := make([]keyed, len(recs))
	for i, r := range recs {
		keys := make([]any, len(pl.orders))
		for j := range pl.orders {
			v := ex.value(r, &pl.orders[j].path)
			if s, ok := v.(string); ok {
				if s == "" {
					v = nil
				} else if pl.orders[j].path.kind == kindText || pl.orders[j].path.kind == kindMulti || pl.orders[j].path.kind == kindID {
					v = strings.ToLower(s)
				}
			}
			keys[j] = v
		}
		ks[i] = keyed{r, keys}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		for j, o := range pl.orders {
			c := compareKeys(a.keys[j], b.keys[j], o)
			if c != 0 {
				return c
			}
		}
		return 0
	})
	for i := range ks {
		recs[i] = ks[i].rec
	}
}

func compareKeys(a, b any, o planOrder) int {
	if a == nil || b == nil {
		if a == nil && b == nil {
			return 0
		}
		c := -1 // a is null: first
		if b == nil {
			c = 1
		}
		if o.nulls == NullsLast {
			c = -c
		}
		return c
	}
	var c int
	switch x := a.(type) {
	case string:
		y, _ := b.(string)
		c = strings.Compare(x, y)
	case float64:
		y, _ := toFloat(b)
		c = cmpFloat(x, y)
	case bool:
		y, _ := b.(bool)
		switch {
		case x == y:
		case !x:
			c = -1
		default:
			c = 1
		}
	}
	if o.desc {
		c = -c
	}
	return c
}

// childRows maps a parent id (upper-case 18-char) to its child records.
type childRows map[string][]map[string]any

// children loads the child records of every subquery for the given parents
// with one scan per subquery.
func (ex *executor) children(pl *plan, parents []map[string]any) []childRows {
	var out []childRows
	for i, it := range pl.items {
		if it.kind != ItemSubquery || len(parents) == 0 {
			continue
		}
		if out == nil {
			out = make([]childRows, len(pl.items))
		}
		rows := childRows{}
		want := make(map[string]bool, len(parents))
		for _, p := range parents {
			id, _ := p["Id"].(string)
			want[idKey(id)] = true
		}
		collect := func(r map[string]any) bool {
			fk, _ := r[it.fk].(string)
			if k := idKey(fk); fk != "" && want[k] {
				if it.sub.where == nil || it.sub.where(ex, r) {
					rows[k] = append(rows[k], r)
				}
			}
			return true
		}
		if all, ok := ex.src.(AllScanner); ok && ex.opt.All {
			all.ScanAll(it.sub.obj.Name(), collect)
		} else {
			ex.src.Scan(it.sub.obj.Name(), collect)
		}
		for k, rs := range rows {
			ex.sort(it.sub, rs)
			rows[k] = window(rs, -1, it.sub.q.Limit)
		}
		out[i] = rows
	}
	return out
}

func idKey(id string) string {
	if full, ok := to18(id); ok {
		return strings.ToUpper(full)
	}
	return strings.ToUpper(id)
}

func (ex *executor) attributes(obj Object, rec map[string]any) map[string]any {
	id, _ := rec["Id"].(string)
	return map[string]any{
		"type": obj.Name(),
		"url":  "/services/data/v" + ex.opt.Version + "/sobjects/" + obj.Name() + "/" + id,
	}
}

// project builds a record in the query-result shape.
func (ex *executor) project(pl *plan, rec map[string]any, children []childRows) map[string]any {
	out := make(map[string]any, len(pl.items)+1)
	out["attributes"] = ex.attributes(pl.obj, rec)
	for i := range pl.items {
		it := &pl.items[i]
		switch it.kind {
		case ItemField:
			if len(it.path.hops) == 0 {
				out[it.path.field.Name] = rec[it.path.field.Name]
				continue
			}
			ex.projectParent(out, rec, &it.path, 0)
		case ItemSubquery:
			id, _ := rec["Id"].(string)
			rows := children[i][idKey(id)]
			if len(rows) == 0 {
				out[it.rel] = nil
				continue
			}
			recs := make([]map[string]any, len(rows))
			for j, r := range rows {
				recs[j] = ex.project(it.sub, r, nil)
			}
			out[it.rel] = map[string]any{"totalSize": len(recs), "done": true, "records": recs}
		}
	}
	return out
}

// projectParent fills the nested record for hop i of p into out.
func (ex *executor) projectParent(out map[string]any, rec map[string]any, p *path, i int) {
	key := p.rels[i]
	existing, present := out[key]
	if present && existing == nil {
		return
	}
	parent, pobj := ex.parent(rec, &p.hops[i])
	if parent == nil {
		out[key] = nil
		return
	}
	m, _ := existing.(map[string]any)
	if m == nil {
		m = map[string]any{"attributes": ex.attributes(pobj, parent)}
		out[key] = m
	}
	if i == len(p.hops)-1 {
		m[p.field.Name] = parent[p.field.Name]
		return
	}
	ex.projectParent(m, parent, p, i+1)
}
