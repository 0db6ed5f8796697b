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
	numPhases
)

// phaseOrder ranks the phases: candidates are tried in rank order. The
// planner uses safeOrder; tests plan with deliberately unsafe tables to show
// that the health guard refuses them (ErrUnsafe).
type phaseOrder [numPhases]int

// safeOrder is SPEC §5.4's order: each phase ranks as declared above.
var safeOrder = func() (o phaseOrder) {
	for p := range o {
		o[p] = p
	}
	return o
}()

// guardFunc judges the documents after a step; a non-nil error refuses the
// step (and the plan). nil means no guard.
type guardFunc func(cur map[string]*api.Server) error

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
// their targets: the operations in SPEC §5.4's phase order (safeOrder),
// each simulated on a copy of the documents with supd's own model (sim),
// and, when the site starts healthy, every step checked with SPEC §7 by
// healthGuard. A step that would leave the site unhealthy is not reordered
// around: the plan is refused with an error wrapping ErrUnsafe that names
// the step and the failing check, because the phase order is the safety
// argument and a step that breaks it is a bug in that order, not something
// to work around.
func orderSteps(siteServer string, obs map[string]api.State, want map[string]api.Server, managed map[string]bool, today time.Time) ([]Step, error) {
	return orderStepsWith(safeOrder, healthGuard(siteServer, today), obs, want, managed)
}

// healthGuard refuses a step that leaves the site unhealthy on today.
func healthGuard(siteServer string, today time.Time) guardFunc {
	return func(cur map[string]*api.Server) error {
		if r := health.CheckAt(cur, siteServer, today); !r.Healthy {
			return fmt.Errorf("would leave the site %s", r)
		}
		return nil
	}
}

// orderStepsWith is orderSteps with the phase order and the guard as
// parameters: the guard applies only when the site passes it before the
// first step. Each step takes the first candidate, in rank order, that sim
// accepts and that changes something (an invalid operation waits for the
// one that makes it valid, such as a binding before configuressl).
func orderStepsWith(order phaseOrder, guard guardFunc, obs map[string]api.State, want map[string]api.Server, managed map[string]bool) ([]Step, error) {
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
	if guard != nil && guard(cur) != nil {
		guard = nil // an unhealthy site is not judged step by step
	}
	var steps []Step
	for len(steps) < maxSteps {
		cands, err := candidates(fqdns, cur, want, managed)
		if err != nil {
			return nil, err
		}
		if len(cands) == 0 {
			return steps, nil
		}
		sort.SliceStable(cands, func(i, j int) bool { return order[cands[i].phase] < order[cands[j].phase] })
		step, why, err := firstStep(cands, cur)
		if err != nil {
			return nil, err
		}
		if step == nil {
			return steps, fmt.Errorf("%w: %s", ErrUnsafe, why)
		}
		step.Version = ver[step.Server]
		if guard != nil {
			if err := guard(cur); err != nil {
				return steps, fmt.Errorf("%w: %s on %s %v", ErrUnsafe, step.Op.Op, step.Server, err)
			}
		}
		steps = append(steps, *step)
		ver[step.Server]++
	}
	return steps, fmt.Errorf("%w: more than %d steps", ErrUnsafe, maxSteps)
}

// firstStep applies to cur (in place) the first candidate that sim accepts
// and that changes something, and returns it as a step (without its
// version). When none does it returns nil and why: the first refusal.
func firstStep(cands []candidate, cur map[string]*api.Server) (*Step, string, error) {
	why := ""
	for _, c := range cands {
		args, err := api.DecodeArgs(c.op)
		if err != nil {
			return nil, "", fmt.Errorf("plan %s on %s: %w", c.op.Op, c.server, err)
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
		return &Step{Server: c.server, Op: c.op, Changes: diffNormalized(before, &next)}, "", nil
	}
	if why == "" {
		why = "no operation changes the remaining differences"
	}
	return nil, why, nil
}

func first(have, s string) string {
	if have != "" {
		return have
	}
	return s
}
