package directory_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/botforge/dialogd/desk/directory"
	"github.com/botforge/dialogd/desk/sfapi"
	"github.com/botforge/dialogd/nodes"
	"github.com/botforge/dialogd/sessions/redistest"
)

// filled is a directory over store holding two Contacts sharing a phone
// and a Lead, as a sync would have stored them.
func filled(t *testing.T, store directory.Store) *directory.Directory {
	t.Helper()
	cfg := &directory.Config{Salesforce: "sf", Object: directory.ObjectContact, Every: time.Hour, MaxPerRun: 10}
	d, err := directory.New("acme", cfg, &sfapi.Client{}, directory.Options{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	err = store.Put(context.Background(), []directory.Record{
		{ID: "003A", Object: "Contact", Name: "Hana Sato", Company: "Acme", Account: "001X", Email: "Hana.Sato@Acme.example", Phones: []string{"+81 3-1234-5678", "090-1111-2222"}},
		{ID: "003B", Object: "Contact", Name: "Ken Sato", Company: "Acme", Email: "ken@acme.example", Phones: []string{"+81 (3) 1234 5678"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func runLookup(t *testing.T, dir nodes.Directory, config, conversationValue string) map[string]any {
	t.Helper()
	root, err := nodes.ParseYAML("task.yaml", []byte(config))
	if err != nil {
		t.Fatal(err)
	}
	n, err := nodes.Default().DecodeNode("directory_lookup", nodes.NodeSource{File: "task.yaml", Config: root},
		nodes.Host{Bot: "acme", Task: "t", NodeID: "dir", Languages: []string{"en"}})
	if err != nil {
		t.Fatal(err)
	}
	turn := &nodes.Turn{Memory: &nodes.Memory{Lang: "en"}, Lang: "en", NodeID: "dir", State: &nodes.NodeState{}, Directory: dir}
	turn.Memory.SetVar(nodes.ScopeConversation, "q", conversationValue, 0)
	out, err := n.Run(context.Background(), turn)
	if err != nil || out.Status != nodes.StatusNext {
		t.Fatalf("run: got %+v, %v; want next", out, err)
	}
	res, _ := turn.Memory.Nodes["dir"].(map[string]any)
	return res
}

func TestDirectoryLookupNode(t *testing.T) {
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			d := filled(t, s.new(t))
			tests := []struct {
				by, value string
				wantIDs   []string
			}{
				{"email", " hana.sato@ACME.example ", []string{"003A"}},
				{"phone", "+81312345678", []string{"003A", "003B"}},
				{"phone", "０９０－１１１１－２２２２", []string{"003A"}},
				{"name", "SATO hana", []string{"003A"}},
				{"name", "Hana", nil},
				{"email", "", nil},
			}
			for _, tt := range tests {
				res := runLookup(t, d, "by: "+tt.by+"\nvalue: \"{{ conversation.q }}\"\n", tt.value)
				var ids []string
				for _, r := range res["records"].([]any) {
					ids = append(ids, r.(map[string]any)["id"].(string))
				}
				if !reflect.DeepEqual(ids, tt.wantIDs) || res["found"] != (len(tt.wantIDs) > 0) || res["count"] != float64(len(tt.wantIDs)) || res["available"] != true {
					t.Errorf("by %s %q: got %v, want ids %v", tt.by, tt.value, res, tt.wantIDs)
				}
			}
			res := runLookup(t, d, "by: email\nvalue: \"{{ conversation.q }}\"\n", "hana.sato@acme.example")
			rec := res["records"].([]any)[0].(map[string]any)
			if rec["name"] != "Hana Sato" || rec["company"] != "Acme" || rec["phone"] != "+81 3-1234-5678" || rec["object"] != "Contact" || rec["account_id"] != "001X" {
				t.Errorf("record: got %v", rec)
			}
		})
	}
}

func TestDirectoryLookupWithoutDirectory(t *testing.T) {
	res := runLookup(t, nil, "by: phone\nvalue: \"{{ conversation.q }}\"\n", "+81312345678")
	if res["found"] != false || res["available"] != false || res["count"] != float64(0) {
		t.Errorf("no directory: got %v, want found false, available false, count 0", res)
	}
}

func TestDirectoryLookupRedisDown(t *testing.T) {
	srv := redistest.Start(t)
	d := filled(t, directory.NewRedisStore(srv.Client(t), "acme"))
	srv.Stop()
	res := runLookup(t, d, "by: phone\nvalue: \"{{ conversation.q }}\"\n", "+81312345678")
	if res["found"] != false || res["available"] != false {
		t.Errorf("directory down: got %v, want found false, available false (the task falls back to Salesforce)", res)
	}
}

func TestDirectoryLookupConfigErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"by: fax\nvalue: x\n", `task.yaml:1:5: nodes.dir.by: unknown key "fax" (want email, phone or name)`},
		{"by: email\n", "task.yaml:1:1: nodes.dir: value: required"},
		{"by: email\nvalue: x\nlimit: 99\n", "task.yaml:1:1: nodes.dir: limit: 99 is out of range (1 to 20)"},
		{"by: email\nvalue: x\nlimt: 2\n", `task.yaml:3:1: nodes.dir: unknown key "limt" (did you mean "limit"?)`},
	}
	for _, tt := range tests {
		root, _ := nodes.ParseYAML("task.yaml", []byte(tt.src))
		_, err := nodes.Default().DecodeNode("directory_lookup", nodes.NodeSource{File: "task.yaml", Path: "nodes.dir", Config: root},
			nodes.Host{Bot: "acme", Task: "t", NodeID: "dir", Languages: []string{"en"}})
		var errs nodes.ConfigErrors
		if !errors.As(err, &errs) || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want %s…", tt.src, err, tt.want)
		}
	}
}
