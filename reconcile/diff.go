package reconcile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"

	"github.com/supctl/supctl/reconcile/api"
)

// Diff returns the field-by-field differences between two server documents,
// sorted by field. Bindings are keyed by "protocol:port", so that a binding
// added or removed is one change whatever its position in the list.
func Diff(old, new api.Server) []Change {
	var out []Change
	diffValues("", view(old), view(new), &out)
	return out
}

// view is the document as generic JSON, bindings keyed by protocol:port.
func view(s api.Server) any {
	s = s.Clone()
	s.Normalize()
	v := generic(s)
	m := v.(map[string]any)
	if iis, ok := m["iis"].(map[string]any); ok {
		keyed := map[string]any{}
		for _, b := range s.IIS.Bindings {
			keyed[fmt.Sprintf("%s:%d", b.Protocol, b.Port)] = generic(b)
		}
		iis["bindings"] = keyed
	}
	return m
}

// generic round-trips v through JSON into maps, slices and json.Numbers.
func generic(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("reconcile: encode %T: %v", v, err)) // our own wire types always encode
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		panic(fmt.Sprintf("reconcile: decode %T: %v", v, err))
	}
	return out
}

// diffValues descends into objects present on both sides; anything else
// (lists, scalars, an object on one side only) is compared whole.
func diffValues(path string, a, b any, out *[]Change) {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		keys := make([]string, 0, len(am)+len(bm))
		for k := range am {
			keys = append(keys, k)
		}
		for k := range bm {
			if _, ok := am[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			diffValues(p, am[k], bm[k], out)
		}
		return
	}
	if reflect.DeepEqual(a, b) {
		return
	}
	*out = append(*out, Change{Field: path, Old: rawJSON(a), New: rawJSON(b)})
}

func rawJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("reconcile: encode %T: %v", v, err))
	}
	return b
}
