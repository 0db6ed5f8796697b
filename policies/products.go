package policies

import (
	"context"
	"fmt"

	"github.com/open-policy-agent/opa/v1/rego"
)

// MinWSUS returns the lowest WSUS build each product supports (rule
// SUP003), product → build, as the catalog's helpers hold it, so that no
// second copy of the table lives in Go.
func MinWSUS(ctx context.Context) (map[string]string, error) {
	mods, err := Modules()
	if err != nil {
		return nil, err
	}
	const lib = "policies/lib/supctl.rego"
	rs, err := rego.New(rego.Query("data.supctl.lib.min_wsus"), rego.Module(lib, mods[lib])).Eval(ctx)
	if err != nil {
		return nil, fmt.Errorf("min_wsus: %w", err)
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return nil, fmt.Errorf("min_wsus: no value in %s", lib)
	}
	obj, ok := rs[0].Expressions[0].Value.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("min_wsus: %T, want an object", rs[0].Expressions[0].Value)
	}
	out := make(map[string]string, len(obj))
	for product, v := range obj {
		build, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("min_wsus[%q]: %T, want a string", product, v)
		}
		out[product] = build
	}
	return out, nil
}
