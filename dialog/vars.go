package dialog

import (
	"context"
	"encoding/json"
	"time"

	"github.com/botforge/dialogd/nodes"
)

// Scoped variables live in their own store keys.
func (r *Runtime) varKeys(userID string) (string, string) {
	return "uv:" + r.bot.Config.Name + ":" + userID, "bv:" + r.bot.Config.Name
}

func (r *Runtime) loadScopedVars(ctx context.Context, st *state, userID string) error {
	if !r.bot.usesScopedVars {
		return nil
	}
	uk, bk := r.varKeys(userID)
	for _, kv := range []struct {
		key string
		dst *map[string]nodes.Var
	}{{uk, &st.Memory.User}, {bk, &st.Memory.Bot}} {
		b, err := r.store.Get(ctx, kv.key)
		if err != nil {
			return err
		}
		*kv.dst = nil
		if len(b) > 0 {
			if err := json.Unmarshal(b, kv.dst); err != nil {
				r.log.Error("unreadable variables; ignoring them", "key", kv.key, "err", err)
			}
		}
	}
	return nil
}

func (r *Runtime) saveScopedVars(ctx context.Context, st *state, userID string) error {
	if !r.bot.usesScopedVars {
		return nil
	}
	uk, bk := r.varKeys(userID)
	now := r.now().Unix()
	for _, kv := range []struct {
		key  string
		vars map[string]nodes.Var
	}{{uk, st.Memory.User}, {bk, st.Memory.Bot}} {
		if kv.vars == nil {
			continue
		}
		var maxExp int64
		for k, v := range kv.vars {
			if v.Exp != 0 && v.Exp <= now {
				delete(kv.vars, k)
				continue
			}
			if v.Exp == 0 {
				maxExp = -1
			} else if maxExp >= 0 && v.Exp > maxExp {
				maxExp = v.Exp
			}
		}
		b, err := json.Marshal(kv.vars)
		if err != nil {
			return err
		}
		var ttl time.Duration
		if maxExp > 0 {
			ttl = time.Duration(maxExp-now) * time.Second
		}
		if err := r.store.Set(ctx, kv.key, b, ttl); err != nil {
			return err
		}
	}
	return nil
}
