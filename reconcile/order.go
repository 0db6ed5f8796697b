package reconcile

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"time"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/health"
	"github.com/supctl/supctl/reconcile/supd/sim"
)

// Phases order the operations of a site (SPEC §5.4). A lower phase goes
// first whenever it keeps the site healthy; the reverse of every enabling
// rule is a disabling one placed before it.
const (
	phaseAgentOff       = iota // client agent disabled: first when disabling
	phaseInternetOff           // the Internet-based SUP removed or replaced: before mode and SSL
	phaseModeMixed             // mixed before SSL is removed
	phaseRootsRelax            // roots stop requiring SSL: first when disabling SSL
	phaseBindingAdd            // make before break: bindings first
	phaseConfigureSsl          // configuressl after the HTTPS binding, before ConfigMgr
	phaseSUP                   // ConfigMgr ssl (+ ports, everything but the Internet SUP)
	phaseUnconfigureSsl        // configuressl undone after ConfigMgr left SSL
	phaseRootsTighten          // the five roots require SSL after ConfigMgr uses it
	phaseModeNative            // native only after the SUP's SSL is in place
	phaseInternetOn            // the Internet-based SUP after the active SUP and the mode
	phaseBindingRemove         // break last: nothing points at the binding any more
	phaseAgent                 // client agent settings last when enabling
)

// candidate is one operation that moves a server toward its target.
type candidate struct {
	phase  int
	server string
	op     api.Op
}

// candidates lists every operation that moves cur toward want, by server
// (sorted) and field. Recomputed after every step, so the planner always
// works from the state the previous steps leave (level-triggered).
func candidates(fqdns []string, cur map[string]*api.Server, want map[string]api.Server, managed map[string]bool) ([]candidate, error) {
	var out []candidate
	add := func(phase int, server, name string, args any) error {
		op, err := api.NewOp(name, args)
		if err != nil {
			return err
		}
		out = append(out, candidate{phase: phase, server: server, op: op})
		return nil
	}
	for _, f := range fqdns {
		c, w := cur[f], want[f]
		if managed[f] {
			for _, b := range w.IIS.Bindings {
				if got := c.Binding(b.Protocol, b.Port); got == nil || got.Thumbprint != b.Thumbprint {
					if err := add(phaseBindingAdd, f, api.OpAddBinding, api.AddBindingArgs(b)); err != nil {
						return nil, err
					}
				}
			}
			for _, b := range c.IIS.Bindings {
				if w.Binding(b.Protocol, b.Port) == nil {
					if err := add(phaseBindingRemove, f, api.OpRemoveBinding, api.RemoveBindingArgs{Protocol: b.Protocol, Port: b.Port}); err != nil {
						return nil, err
					}
				}
			}
			for _, r := range api.VRoots {
				from, to := c.IIS.VRoots[r], w.IIS.VRoots[r]
				if slices.Equal(api.CanonicalFlags(from), to) {
					continue
				}
				phase := phaseRootsTighten
				if api.RequiresSSL(from) && !api.RequiresSSL(to) || api.AsksClientCert(from) && !api.AsksClientCert(to) {
					phase = phaseRootsRelax
				}
				if err := add(phase, f, api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: r, Flags: to}); err != nil {
					return nil, err
				}
			}
			if c.WSUS != nil && w.WSUS != nil {
				from, to := c.WSUS.SSLConfiguredFor, w.WSUS.SSLConfiguredFor
				switch {
				case to != nil && (from == nil || *from != *to):
					if err := add(phaseConfigureSsl, f, api.OpConfigureSsl, api.ConfigureSslArgs{CertificateName: *to}); err != nil {
						return nil, err
					}
				case to == nil && from != nil:
					if err := add(phaseUnconfigureSsl, f, api.OpUnconfigureSsl, api.UnconfigureSslArgs{}); err != nil {
						return nil, err
					}
				}
			}
		}
		if c.ConfigMgr == nil || w.ConfigMgr == nil {
			continue
		}
		cc, wc := c.ConfigMgr, w.ConfigMgr
		if !reflect.DeepEqual(cc.ClientAgent, wc.ClientAgent) {
			phase := phaseAgent
			if cc.ClientAgent.Enabled && !wc.ClientAgent.Enabled {
				phase = phaseAgentOff
			}
			if err := add(phase, f, api.OpSetClientAgent, wc.ClientAgent); err != nil {
				return nil, err
			}
		}
		if cc.Mode != wc.Mode {
			phase := phaseModeMixed
			if wc.Mode == api.ModeNative {
				phase = phaseModeNative
			}
			if err := add(phase, f, api.OpSetSiteMode, api.SetSiteModeArgs{Mode: wc.Mode}); err != nil {
				return nil, err
			}
		}
		if err := supCandidates(f, cc.SoftwareUpdatePoint, wc.SoftwareUpdatePoint, add); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].phase < out[j].phase })
	return out, nil
}

// supCandidates splits a change of the SUP component in up to three
// stages: drop an Internet-based SUP that goes away or changes; set
// everything but the Internet-based SUP; set the Internet-based SUP.
func supCandidates(f string, cur, want *api.SUP, add func(int, string, string, any) error) error {
	if reflect.DeepEqual(cur, want) {
		return nil
	}
	if want == nil {
		return add(phaseSUP, f, api.OpSetSoftwareUpdatePoint, (*api.SUP)(nil))
	}
	curInternet := ""
	if cur != nil {
		curInternet = cur.Internet
	}
	if curInternet != "" && curInternet != want.Internet {
		off := cur.Clone()
		off.Internet = ""
		if err := add(phaseInternetOff, f, api.OpSetSoftwareUpdatePoint, &off); err != nil {
			return err
		}
	}
	main := want.Clone()
	if curInternet != want.Internet {
		main.Internet = ""
	}
	if err := add(phaseSUP, f, api.OpSetSoftwareUpdatePoint, &main); err != nil {
		return err
	}
	if main.Internet != want.Internet {
		full := want.Clone()
		return add(phaseInternetOn, f, api.OpSetSoftwareUpdatePoint, &full)
	}
	return nil
}

// maxSteps bounds the planner's loop: far above any real site's step count.
const maxSteps = 10000

// orderSteps plans the steps that bring the observed documents of a site to
// their targets. It simulates each candidate operation on a copy of the
// documents with supd's own model (sim) and takes the first one, in phase
// order, that is valid and keeps the site healthy (when it was healthy to
// begin with). When none does, the site cannot be reconciled safely: the
// error wraps ErrUnsafe and names the first failing check.
func orderSteps(siteServer string, obs map[string]api.State, want map[string]api.Server, managed map[string]bool, today time.Time) ([]Step, error) {
	fqdns := make([]string, 0, len(obs))
	cur := make(map[string]*api.Server, len(obs))
	ver := make(map[string]int64, len(obs))
	for f, st := range obs {
		fqdns = append(fqdns, f)
		d := st.Server.Clone()
		d.Normalize()
		cur[f], ver[f] = &d, st.Version
	}
	slices.Sort(fqdns)
	guard := health.CheckAt(cur, siteServer, today).Healthy
	var steps []Step
	for len(steps) < maxSteps {
		cands, err := candidates(fqdns, cur, want, managed)
		if err != nil {
			return nil, err
		}
		if len(cands) == 0 {
			return steps, nil
		}
		why := ""
		taken := false
		for _, c := range cands {
			args, err := api.DecodeArgs(c.op)
			if err != nil {
				return nil, fmt.Errorf("plan %s on %s: %w", c.op.Op, c.server, err)
			}
			next, changed, err := sim.Apply(*cur[c.server], c.op.Op, args)
			if err != nil {
				why = first(why, err.Error())
				continue
			}
			if !changed {
				continue
			}
			before := cur[c.server]
			cur[c.server] = &next
			if guard {
				if r := health.CheckAt(cur, siteServer, today); !r.Healthy {
					cur[c.server] = before
					why = first(why, fmt.Sprintf("%s on %s would leave the site %s", c.op.Op, c.server, r))
					continue
				}
			}
			steps = append(steps, Step{Server: c.server, Version: ver[c.server], Op: c.op, Changes: diffNormalized(before, &next)})
			ver[c.server]++
			taken = true
			break
		}
		if !taken {
			if why == "" {
				why = "no operation changes the remaining differences"
			}
			return steps, fmt.Errorf("%w: %s", ErrUnsafe, why)
		}
	}
	return steps, fmt.Errorf("%w: more than %d steps", ErrUnsafe, maxSteps)
}

func first(have, s string) string {
	if have != "" {
		return have
	}
	return s
}
