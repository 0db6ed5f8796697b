package reconcile

import (
	"encoding/json"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/health"
)

// FormatVersion is the version of the Plan's JSON form; Apply refuses others.
const FormatVersion = 1

// Plan is what Apply will do: inert, JSON-serializable data (SPEC §5.5).
//
// ConfigDigest, every ServerPlan.Version and the Steps are what Apply
// consumes; the fields documented "display-only" are for renderers and are
// never trusted by Apply.
type Plan struct {
	// FormatVersion is FormatVersion.
	FormatVersion int `json:"formatVersion"`
	// ConfigDigest identifies the config the plan was made from (see Digest).
	ConfigDigest string `json:"configDigest"`
	// Paths are the config paths the plan was made from (absolute), so that
	// a saved plan can be checked against the repo it came from.
	Paths []string `json:"paths,omitempty"`
	// Sites are the selected sites, sorted by code.
	Sites []SitePlan `json:"sites"`
}

// SitePlan is the plan of one site: its servers as observed, the manual
// steps that block it, and the ordered steps that reconcile it.
type SitePlan struct {
	// Site is the site code.
	Site string `json:"site"`
	// Servers are the site's servers, sorted by FQDN.
	Servers []ServerPlan `json:"servers"`
	// Health is the site's health before any step (display-only).
	Health health.Result `json:"health"`
	// Manual lists what reconciliation cannot do; a site with manual steps
	// has no Steps and Apply refuses it.
	Manual []ManualStep `json:"manual,omitempty"`
	// Steps are sent in this order, one at a time. The site is healthy after
	// every step when it was healthy before the first (checked while planning).
	Steps []Step `json:"steps,omitempty"`
	// After are the codes of the plan's sites that must finish before this
	// one starts (sorted): a child site waits for its parent, or the parent
	// for the child, so that the child's synchronization from the parent's
	// active SUP keeps working (see orderSites). Apply does not start a site
	// whose After site failed.
	After []string `json:"after,omitempty"`
	// Notes are warnings for the user about this site's steps (display-only),
	// e.g. a synchronization break no order of sites avoids.
	Notes []string `json:"notes,omitempty"`
}

// ServerPlan is one server of a site as the plan saw it.
type ServerPlan struct {
	// FQDN is the server's intranet name.
	FQDN string `json:"fqdn"`
	// Version is the observed document version the steps were planned on.
	Version int64 `json:"version"`
	// Observed is the document at Version (display-only: --diff).
	Observed api.Server `json:"observed"`
	// Desired is Observed with every managed field set to the config's
	// value (display-only: --diff).
	Desired api.Server `json:"desired"`
}

// Step is one operation on one server, with the field changes it makes.
type Step struct {
	// Server is the FQDN the op is sent to.
	Server string `json:"server"`
	// Version is the server's version the step was planned on: sent as If-Match.
	Version int64 `json:"version"`
	// Op is the supd operation (SPEC §6.2).
	Op api.Op `json:"op"`
	// Changes are the fields the op changes, old → new (display-only).
	Changes []Change `json:"changes"`
}

// Change is one field of a server document, old → new. Values are JSON
// (null for absent).
type Change struct {
	// Field is a dotted path in the server document, e.g.
	// "iis.vroots.ClientWebService" or "configmgr.softwareUpdatePoint.ssl".
	Field string          `json:"field"`
	Old   json.RawMessage `json:"old"`
	New   json.RawMessage `json:"new"`
}

// ManualStep is a difference supd cannot remove: a person must act.
type ManualStep struct {
	Server string `json:"server"`
	Field  string `json:"field"`
	// Observed and Desired say what is there and what the config wants.
	Observed string `json:"observed"`
	Desired  string `json:"desired"`
	// Action says what to do, for humans.
	Action string `json:"action"`
}

// Summary counts a plan's changes.
type Summary struct {
	Changes int // steps
	Servers int // servers with at least one step
	Sites   int // sites with at least one step
	Manual  int // manual steps
}

// Summary counts the plan's steps, the servers and sites they touch, and
// the manual steps.
func (p *Plan) Summary() Summary {
	var s Summary
	for _, sp := range p.Sites {
		servers := map[string]bool{}
		for _, st := range sp.Steps {
			servers[st.Server] = true
		}
		s.Changes += len(sp.Steps)
		s.Servers += len(servers)
		if len(sp.Steps) > 0 {
			s.Sites++
		}
		s.Manual += len(sp.Manual)
	}
	return s
}

// HasChanges reports whether the plan has a step or a manual step.
func (p *Plan) HasChanges() bool {
	s := p.Summary()
	return s.Changes > 0 || s.Manual > 0
}

// Site returns the plan of site code, or nil.
func (p *Plan) Site(code string) *SitePlan {
	for i := range p.Sites {
		if p.Sites[i].Site == code {
			return &p.Sites[i]
		}
	}
	return nil
}
