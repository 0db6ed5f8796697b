package windows

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/supctl/supctl/reconcile/api"
)

// Probe reads the one value an operation changes, for the guard and the
// check of a change script (SPEC §5.9): Script prints the value as JSON on
// the server, and Value gives the same JSON for a server document, so that
// a change script compares the two texts.
type Probe struct {
	// Field is the document field the value is, e.g. "iis.vroots.Content".
	Field string
	// Script is the probe's PowerShell text (embedded scripts/probe-*.ps1).
	Script string
	// Value returns the JSON the script prints when the server is doc.
	Value func(doc api.Server) string
}

// Probe names (the "# supctl-op:" line of a probe script).
const (
	ProbeBinding          = "probe.binding"
	ProbeSslFlags         = "probe.sslFlags"
	ProbeSslConfiguredFor = "probe.sslConfiguredFor"
)

// probeArgs are the arguments of the probes, as their header records them.
type probeBindingArgs struct {
	Protocol string `json:"protocol"`
	Port     int    `json:"port"`
}
type probeSslFlagsArgs struct {
	VRoot string `json:"vroot"`
}
type probeNoArgs struct{}

// ProbeFor returns the probe of the value op changes. An op with no probe
// (the manual steps) returns *ManualStepError, like OpScript.
func ProbeFor(op string, args any) (Probe, error) {
	if _, err := OpScript(op, args); err != nil {
		return Probe{}, err
	}
	switch a := args.(type) {
	case api.AddBindingArgs:
		return bindingProbe(a.Protocol, a.Port), nil
	case api.RemoveBindingArgs:
		return bindingProbe(a.Protocol, a.Port), nil
	case api.SetSslFlagsArgs:
		return sslFlagsProbe(a.VRoot), nil
	case api.ConfigureSslArgs:
		return sslConfiguredForProbe(), nil
	}
	return Probe{}, &InvalidArgsError{op, fmt.Sprintf("no probe for arguments of type %T", args)}
}

// ProbeScriptByName regenerates a probe script from its header (the fake
// machine uses it to recognise probe texts).
func ProbeScriptByName(name string, args json.RawMessage) (Probe, error) {
	switch name {
	case ProbeBinding:
		var a probeBindingArgs
		if err := api.DecodeStrict(bytes.NewReader(args), &a); err != nil {
			return Probe{}, err
		}
		return bindingProbe(a.Protocol, a.Port), nil
	case ProbeSslFlags:
		var a probeSslFlagsArgs
		if err := api.DecodeStrict(bytes.NewReader(args), &a); err != nil {
			return Probe{}, err
		}
		return sslFlagsProbe(a.VRoot), nil
	case ProbeSslConfiguredFor:
		return sslConfiguredForProbe(), nil
	}
	return Probe{}, fmt.Errorf("%w: unknown probe %q", ErrNotOurScript, name)
}

func bindingProbe(protocol string, port int) Probe {
	return Probe{
		Field:  fmt.Sprintf("iis.bindings.%s:%d", protocol, port),
		Script: compose("probe", ProbeBinding, probeBindingArgs{protocol, port}, []bind{{"Protocol", protocol}, {"Port", port}}, script("probe-binding.ps1")),
		Value: func(doc api.Server) string {
			b := doc.Binding(protocol, port)
			if b == nil {
				return "null"
			}
			m := map[string]any{"protocol": b.Protocol, "port": b.Port}
			if b.Protocol == api.ProtocolHTTPS && b.Thumbprint != "" {
				m["thumbprint"] = b.Thumbprint
			}
			return canonicalJSON(m)
		},
	}
}

func sslFlagsProbe(vroot string) Probe {
	return Probe{
		Field:  "iis.vroots." + vroot,
		Script: compose("probe", ProbeSslFlags, probeSslFlagsArgs{vroot}, []bind{{"VRoot", vroot}}, script("probe-sslFlags.ps1")),
		Value: func(doc api.Server) string {
			return canonicalJSON(api.CanonicalFlags(doc.IIS.VRoots[vroot]))
		},
	}
}

func sslConfiguredForProbe() Probe {
	return Probe{
		Field:  "wsus.sslConfiguredFor",
		Script: compose("probe", ProbeSslConfiguredFor, probeNoArgs{}, nil, script("probe-sslConfiguredFor.ps1")),
		Value: func(doc api.Server) string {
			if doc.WSUS == nil || doc.WSUS.SSLConfiguredFor == nil {
				return "null"
			}
			return canonicalJSON(*doc.WSUS.SSLConfiguredFor)
		},
	}
}

// canonicalJSON encodes v as the scripts' JSON writer does: no spaces,
// object keys sorted. Values here are ASCII names, ports and flags, which
// both encoders write the same way.
func canonicalJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("windows: encode %T: %v", v, err))
	}
	return string(b)
}
