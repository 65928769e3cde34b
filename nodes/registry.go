package nodes

import (
	"errors"
	"fmt"
	"sort"
	"sync"
)

// Info describes a node type.
type Info struct {
	// Type is the name used in task files (`type: entity`), lowercase with
	// underscores.
	Type string
	// New returns a fresh, zero-configured node; the host decodes the node's
	// YAML into it. It must return a pointer.
	New func() Node
	// Summary is one sentence for docs and `botctl lint -types`.
	Summary string
}

// Registry holds node types by name. The package-level functions use a
// default registry that node types join from their init functions; tests
// and embedders may build isolated ones with [NewRegistry].
type Registry struct {
	mu    sync.RWMutex
	types map[string]Info
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{types: map[string]Info{}} }

var defaultRegistry = NewRegistry()

// Default returns the registry that [Register] adds to.
func Default() *Registry { return defaultRegistry }

// Register adds a node type to the default registry. It panics on a
// programming error (empty type, nil New, duplicate), so such bugs show at
// start-up.
func Register(info Info) {
	if err := defaultRegistry.Add(info); err != nil {
		panic(err)
	}
}

// Add registers a node type, returning an error for an empty or duplicate name.
func (r *Registry) Add(info Info) error {
	if info.Type == "" {
		return errors.New("nodes: node type without a name")
	}
	if info.New == nil {
		return fmt.Errorf("nodes: node type %q has no New function", info.Type)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.types[info.Type]; dup {
		return fmt.Errorf("nodes: node type %q already registered", info.Type)
	}
	r.types[info.Type] = info
	return nil
}

// Lookup returns the node type registered under name.
func (r *Registry) Lookup(name string) (Info, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	info, ok := r.types[name]
	return info, ok
}

// Types returns the registered type names, sorted.
func (r *Registry) Types() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.types))
	for n := range r.types {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Clone returns a copy of the registry, for adding types in isolation.
func (r *Registry) Clone() *Registry {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c := NewRegistry()
	for k, v := range r.types {
		c.types[k] = v
	}
	return c
}
