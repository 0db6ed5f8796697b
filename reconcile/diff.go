package reconcile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/supctl/supctl/reconcile/api"
)

// Diff returns the field-by-field differences between two server documents,
// sorted by field. Bindings are keyed by "protocol:port", so that a binding
// added or removed is one change whatever its position in the list. Only
// the parts of the documents that differ are encoded (planning calls Diff
// once per step).
func Diff(old, new api.Server) []Change {
	o, n := old.Clone(), new.Clone()
	o.Normalize()
	n.Normalize()
	return diffNormalized(&o, &n)
}

// diffNormalized is Diff on normalized documents, which it does not modify.
func diffNormalized(o, n *api.Server) []Change {
	var out []Change
	part := func(path string, a, b any) {
		if !reflect.DeepEqual(a, b) {
			diffValues(path, generic(a), generic(b), &out)
		}
	}
	part("fqdn", o.FQDN, n.FQDN)
	part("internetFqdn", o.InternetFQDN, n.InternetFQDN)
	part("certificates", o.Certificates, n.Certificates)
	part("wsus", o.WSUS, n.WSUS)
	part("iis.bindings", keyedBindings(o.IIS.Bindings), keyedBindings(n.IIS.Bindings))
	roots := make([]string, 0, len(o.IIS.VRoots))
	for r := range o.IIS.VRoots {
		roots = append(roots, r)
	}
	for r := range n.IIS.VRoots {
		if _, ok := o.IIS.VRoots[r]; !ok {
			roots = append(roots, r)
		}
	}
	for _, r := range roots {
		a, aok := o.IIS.VRoots[r]
		b, bok := n.IIS.VRoots[r]
		if aok != bok || !slices.Equal(a, b) {
			out = append(out, Change{Field: "iis.vroots." + r, Old: rawJSON(orNil(a, aok)), New: rawJSON(orNil(b, bok))})
		}
	}
	if oc, nc := o.ConfigMgr, n.ConfigMgr; oc != nil && nc != nil {
		part("configmgr.siteCode", oc.SiteCode, nc.SiteCode)
		part("configmgr.mode", oc.Mode, nc.Mode)
		part("configmgr.softwareUpdatePoint", oc.SoftwareUpdatePoint, nc.SoftwareUpdatePoint)
		part("configmgr.clientAgent", oc.ClientAgent, nc.ClientAgent)
	} else {
		part("configmgr", oc, nc)
	}
	slices.SortFunc(out, func(x, y Change) int { return strings.Compare(x.Field, y.Field) })
	return out
}

func keyedBindings(bs []api.Binding) map[string]api.Binding {
	out := make(map[string]api.Binding, len(bs))
	for _, b := range bs {
		out[fmt.Sprintf("%s:%d", b.Protocol, b.Port)] = b
	}
	return out
}

func orNil(flags []string, ok bool) any {
	if !ok {
		return nil
	}
	return flags
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
