package nodes

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"go.yaml.in/yaml/v3"
)

func init() {
	Register(Info{
		Type:    "directory_lookup",
		New:     func() Node { return new(DirectoryLookup) },
		Summary: "Look a customer up in the bot's customer directory by e-mail, phone or name.",
	})
}

// Bounds of DirectoryLookup.Limit.
const (
	DefaultDirectoryLimit = 5
	MaxDirectoryLimit     = 20
)

// DirectoryLookup searches the bot's customer directory ([Turn.Directory],
// imported from the CRM) and stores what it found under the node's id:
//
//	type: directory_lookup
//	by: email                 # email | phone | name
//	value: "{{ conversation.id_email }}"
//	limit: 5                  # most records kept, 1…20
//
// The result is {found, count, available, records: [{id, object, name,
// company, account_id, email, phone, phones}]}: found is count > 0; available is
// false when the bot has no directory or it could not be read (the
// problem is logged, without the value). The node never fails the task:
// a task goes on to ask the CRM itself when found is false.
type DirectoryLookup struct {
	By    DirectoryKey `yaml:"by"`
	Value *Interp      `yaml:"value"`
	Limit int          `yaml:"limit"`
}

// Validate checks by, value and limit, in that order.
func (n *DirectoryLookup) Validate() error {
	if n.By == "" {
		return errors.New("by: required: email, phone or name")
	}
	if n.Value.IsZero() {
		return errors.New("value: required: the text to look up, e.g. \"{{ conversation.id_email }}\"")
	}
	if n.Limit == 0 {
		n.Limit = DefaultDirectoryLimit
	}
	if n.Limit < 1 || n.Limit > MaxDirectoryLimit {
		return fmt.Errorf("limit: %d is out of range (1 to %d)", n.Limit, MaxDirectoryLimit)
	}
	return nil
}

// Run looks the rendered value up and stores the result.
func (n *DirectoryLookup) Run(ctx context.Context, t *Turn) (Outcome, error) {
	value, err := n.Value.Render(t, EscapeText)
	if err != nil {
		return Outcome{}, fmt.Errorf("directory_lookup: value: %w", err)
	}
	var recs []DirectoryRecord
	available := t.Directory != nil
	if available && value != "" {
		recs, err = t.Directory.Lookup(ctx, string(n.By), value, n.Limit)
		if err != nil {
			available = false
			recs = nil
			n.logger(t).WarnContext(ctx, "directory_lookup: directory unavailable; the task goes on without it",
				"node", t.NodeID, "by", n.By, "err", err)
		}
	}
	if len(recs) > n.Limit {
		recs = recs[:n.Limit]
	}
	list := make([]any, len(recs))
	for i, r := range recs {
		phone := ""
		if len(r.Phones) > 0 {
			phone = r.Phones[0]
		}
		phones := make([]any, len(r.Phones))
		for j, p := range r.Phones {
			phones[j] = p
		}
		list[i] = map[string]any{"id": r.ID, "object": r.Object, "name": r.Name, "company": r.Company,
			"account_id": r.AccountID, "email": r.Email, "phone": phone, "phones": phones}
	}
	t.Memory.SetNode(t.NodeID, map[string]any{"found": len(recs) > 0, "count": float64(len(recs)), "available": available, "records": list})
	return Next(), nil
}

// DirectoryKey is what a directory is searched by: email, phone or name.
type DirectoryKey string

// UnmarshalYAML accepts the three keys only.
func (k *DirectoryKey) UnmarshalYAML(value *yaml.Node) error {
	switch value.Value {
	case DirectoryByEmail, DirectoryByPhone, DirectoryByName:
		*k = DirectoryKey(value.Value)
		return nil
	}
	return fmt.Errorf("unknown key %q (want email, phone or name)", value.Value)
}

func (n *DirectoryLookup) logger(t *Turn) *slog.Logger {
	if t.Env != nil && t.Env.Log != nil {
		return t.Env.Log
	}
	return slog.New(slog.DiscardHandler)
}
