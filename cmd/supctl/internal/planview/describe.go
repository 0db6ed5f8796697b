package planview

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/supctl/supctl/reconcile"
	"github.com/supctl/supctl/reconcile/api"
)

// Symbols of a step: what it does to the thing its sentence names.
const (
	SymbolAdd    = '+' // something is added or turned on
	SymbolRemove = '-' // something is removed or turned off
	SymbolChange = '~' // something changes
)

// SiteView is one site's plan in the domain's words: what the text format
// prints and the HTML report shows. It is drawn from a reconcile.SitePlan
// alone (the value --format json prints), so the views cannot drift apart.
type SiteView struct {
	// Site is the site code.
	Site string
	// Health is the site's health before any step, for humans.
	Health string
	// Servers counts the servers with at least one step.
	Servers int
	// Steps counts the steps.
	Steps int
	// After are the sites this one waits for (SitePlan.After).
	After []string
	// Notes are the plan's warnings about this site (SitePlan.Notes).
	Notes []string
	// Reasons say, once per site, which health check each ordering rule the
	// steps follow protects (see reasons).
	Reasons []string
	// Groups are the steps in plan order, a new group whenever the server
	// changes from one step to the next.
	Groups []StepGroup
	// Manual are the manual steps; a site with manual steps has no Groups.
	Manual []reconcile.ManualStep
}

// StepGroup is a run of consecutive steps on one server.
type StepGroup struct {
	Server string
	Steps  []StepLine
}

// StepLine is one step: its number in the site's plan (from 1), its symbol
// and a sentence, e.g. '+' "HTTPS binding on port 8531 (certificate
// B1B2…5678, expires 2027-06-30)".
type StepLine struct {
	N      int
	Symbol rune
	Text   string
}

// Describe turns one site's plan into sentences.
func Describe(sp reconcile.SitePlan) SiteView {
	v := SiteView{Site: sp.Site, Health: sp.Health.String(), Steps: len(sp.Steps), After: sp.After, Notes: sp.Notes, Manual: sp.Manual}
	servers := map[string]bool{}
	for i, st := range sp.Steps {
		servers[st.Server] = true
		if len(v.Groups) == 0 || v.Groups[len(v.Groups)-1].Server != st.Server {
			v.Groups = append(v.Groups, StepGroup{Server: st.Server})
		}
		sym, text := sentence(st, observed(sp, st.Server))
		g := &v.Groups[len(v.Groups)-1]
		g.Steps = append(g.Steps, StepLine{N: i + 1, Symbol: sym, Text: text})
	}
	v.Servers = len(servers)
	v.Reasons = reasons(sp)
	return v
}

// observed returns the observed document of server fqdn in the site plan
// (a zero document when the plan does not hold it).
func observed(sp reconcile.SitePlan, fqdn string) api.Server {
	for _, s := range sp.Servers {
		if s.FQDN == fqdn {
			return s.Observed
		}
	}
	return api.Server{FQDN: fqdn}
}

// sentence says what one step does. Ops it knows are told in the domain's
// words from the op's arguments and the step's changes; anything else falls
// back to "field: old → new" per change, so nothing is ever hidden.
func sentence(st reconcile.Step, obs api.Server) (rune, string) {
	args, err := api.DecodeArgs(st.Op)
	if err != nil {
		return SymbolChange, fallback(st)
	}
	switch a := args.(type) {
	case api.AddBindingArgs:
		what := fmt.Sprintf("%s binding on port %d", strings.ToUpper(a.Protocol), a.Port)
		cert := ""
		if a.Thumbprint != "" {
			cert = certificate(a.Thumbprint, obs)
		}
		if old := changeOf(st, fmt.Sprintf("iis.bindings.%s:%d", a.Protocol, a.Port)); old != nil && !isNull(old.Old) {
			var b api.Binding
			if json.Unmarshal(old.Old, &b) == nil && b.Thumbprint != "" {
				return SymbolChange, fmt.Sprintf("%s: certificate %s → %s", what, shortThumb(b.Thumbprint), cert)
			}
		}
		if cert != "" {
			return SymbolAdd, fmt.Sprintf("%s (certificate %s)", what, cert)
		}
		return SymbolAdd, what
	case api.RemoveBindingArgs:
		return SymbolRemove, fmt.Sprintf("%s binding on port %d", strings.ToUpper(a.Protocol), a.Port)
	case api.SetSslFlagsArgs:
		var from []string
		if c := changeOf(st, "iis.vroots."+a.VRoot); c != nil {
			_ = json.Unmarshal(c.Old, &from)
		}
		to := api.CanonicalFlags(a.Flags)
		switch {
		case len(from) == 0 && slices.Equal(to, []string{api.FlagSsl}):
			return SymbolChange, a.VRoot + ": require SSL"
		case slices.Equal(from, []string{api.FlagSsl}) && len(to) == 0:
			return SymbolChange, a.VRoot + ": stop requiring SSL"
		}
		return SymbolChange, fmt.Sprintf("%s: %s → %s", a.VRoot, flagWords(from), flagWords(to))
	case api.ConfigureSslArgs:
		return SymbolAdd, "WSUS uses SSL: WSUSUtil configuressl " + a.CertificateName
	case api.UnconfigureSslArgs:
		was := ""
		if obs.WSUS != nil && obs.WSUS.SSLConfiguredFor != nil {
			was = " (configuressl " + *obs.WSUS.SSLConfiguredFor + " undone)"
		}
		return SymbolRemove, "WSUS SSL configuration" + was
	case api.SetSiteModeArgs:
		from := "?"
		if c := changeOf(st, "configmgr.mode"); c != nil {
			from = str(c.Old)
		}
		return SymbolChange, fmt.Sprintf("site mode %s → %s", from, a.Mode)
	case *api.SUP:
		return supSentence(st, a)
	case api.ClientAgent:
		return agentSentence(st, a)
	}
	return SymbolChange, fallback(st)
}

// supSentence describes a change of the software update point component.
func supSentence(st reconcile.Step, sup *api.SUP) (rune, string) {
	if sup == nil {
		var was api.SUP
		if c := changeOf(st, "configmgr.softwareUpdatePoint"); c != nil && json.Unmarshal(c.Old, &was) == nil && was.Active != "" {
			return SymbolRemove, "software update point on " + was.Active
		}
		return SymbolRemove, "software update point"
	}
	if c := changeOf(st, "configmgr.softwareUpdatePoint"); c != nil && isNull(c.Old) {
		ssl := "without SSL"
		if sup.SSL {
			ssl = "with SSL"
		}
		return SymbolAdd, fmt.Sprintf("software update point on %s, %s, ports %d/%d, sync from %s",
			sup.Active, ssl, sup.Ports.HTTP, sup.Ports.HTTPS, syncWords(sup.Sync))
	}
	const prefix = "configmgr.softwareUpdatePoint."
	var parts []string
	ports := false
	for _, c := range st.Changes {
		field := strings.TrimPrefix(c.Field, prefix)
		switch field {
		case "ssl":
			if string(c.New) == "true" {
				parts = append(parts, "use SSL")
			} else {
				parts = append(parts, "stop using SSL")
			}
		case "ports.http", "ports.https":
			if !ports {
				ports = true
				parts = append(parts, fmt.Sprintf("ports %s → %d/%d", oldPorts(st, sup), sup.Ports.HTTP, sup.Ports.HTTPS))
			}
		case "internet":
			switch {
			case isNull(c.Old):
				parts = append(parts, "Internet-based SUP "+str(c.New))
			case isNull(c.New):
				parts = append(parts, "no Internet-based SUP (was "+str(c.Old)+")")
			default:
				parts = append(parts, "Internet-based SUP "+str(c.Old)+" → "+str(c.New))
			}
		case "active":
			parts = append(parts, "active SUP "+str(c.Old)+" → "+str(c.New))
		case "sync.upstream":
			parts = append(parts, "upstream "+value(c.Old)+" → "+value(c.New))
		default:
			parts = append(parts, field+": "+value(c.Old)+" → "+value(c.New))
		}
	}
	return SymbolChange, "software update point: " + strings.Join(parts, "; ")
}

// oldPorts is "80/443": the ports before the step, from its changes (an
// unchanged port keeps the op's value).
func oldPorts(st reconcile.Step, sup *api.SUP) string {
	h, s := fmt.Sprint(sup.Ports.HTTP), fmt.Sprint(sup.Ports.HTTPS)
	if c := changeOf(st, "configmgr.softwareUpdatePoint.ports.http"); c != nil {
		h = value(c.Old)
	}
	if c := changeOf(st, "configmgr.softwareUpdatePoint.ports.https"); c != nil {
		s = value(c.Old)
	}
	return h + "/" + s
}

// agentSentence describes a change of the Software Updates Client Agent.
func agentSentence(st reconcile.Step, a api.ClientAgent) (rune, string) {
	const prefix = "configmgr.clientAgent."
	if c := changeOf(st, prefix+"enabled"); c != nil && len(st.Changes) == 1 {
		if a.Enabled {
			return SymbolAdd, fmt.Sprintf("client agent enabled (scan every %s)", schedule(a.ScanSchedule))
		}
		return SymbolRemove, "client agent (disabled)"
	}
	var parts []string
	done := map[string]bool{}
	for _, c := range st.Changes {
		field := strings.TrimPrefix(c.Field, prefix)
		group, _, _ := strings.Cut(field, ".")
		if done[group] {
			continue
		}
		done[group] = true
		switch group {
		case "enabled":
			parts = append(parts, map[bool]string{true: "enable", false: "disable"}[a.Enabled])
		case "scanSchedule":
			parts = append(parts, "scan every "+oldSchedule(st, prefix+group)+" → "+schedule(a.ScanSchedule))
		case "reevaluationSchedule":
			parts = append(parts, "re-evaluate every "+oldSchedule(st, prefix+group)+" → "+schedule(a.ReevaluationSchedule))
		case "deadlineWindow":
			parts = append(parts, "deadline window "+oldSchedule(st, prefix+group)+" → "+schedule(a.DeadlineWindow))
		case "enforceMandatory":
			parts = append(parts, "enforce mandatory deployments "+onOff(a.EnforceMandatory))
		case "hideFromUsers":
			parts = append(parts, "hide deployments from users "+onOff(a.HideFromUsers))
		default:
			parts = append(parts, field+": "+value(c.Old)+" → "+value(c.New))
		}
	}
	return SymbolChange, "client agent: " + strings.Join(parts, "; ")
}

// oldSchedule is a schedule before the step, from its changes of
// PATH.days and PATH.hours.
func oldSchedule(st reconcile.Step, path string) string {
	var s api.Schedule
	if c := changeOf(st, path+".days"); c != nil {
		_ = json.Unmarshal(c.Old, &s.Days)
	}
	if c := changeOf(st, path+".hours"); c != nil {
		_ = json.Unmarshal(c.Old, &s.Hours)
	}
	if s.Days == 0 && s.Hours == 0 {
		return "?"
	}
	return schedule(s)
}

func schedule(s api.Schedule) string {
	switch {
	case s.Hours == 1:
		return "1 hour"
	case s.Hours > 0:
		return fmt.Sprintf("%d hours", s.Hours)
	case s.Days == 1:
		return "1 day"
	}
	return fmt.Sprintf("%d days", s.Days)
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func syncWords(s api.Sync) string {
	switch s.Source {
	case "microsoft-update":
		return "Microsoft Update"
	case "upstream":
		return s.Upstream
	}
	return s.Source
}

// certificate is "B1B2…5678, expires 2027-06-30" for a thumbprint of the
// server's store ("not in the store" when absent).
func certificate(thumb string, obs api.Server) string {
	c := obs.Certificate(thumb)
	if c == nil {
		return shortThumb(thumb) + ", not in the machine store"
	}
	return shortThumb(c.Thumbprint) + ", expires " + c.NotAfter
}

// shortThumb is a thumbprint's first and last four digits.
func shortThumb(t string) string {
	if len(t) <= 8 {
		return t
	}
	return t[:4] + "…" + t[len(t)-4:]
}

// flagWords names sslFlags for people.
func flagWords(flags []string) string {
	if len(flags) == 0 {
		return "SSL not required"
	}
	words := map[string]string{
		api.FlagSsl:              "require SSL",
		api.FlagSslNegotiateCert: "accept client certificates",
		api.FlagSslRequireCert:   "require client certificates",
		api.FlagSsl128:           "require 128-bit SSL",
	}
	out := make([]string, len(flags))
	for i, f := range flags {
		out[i] = words[f]
		if out[i] == "" {
			out[i] = f
		}
	}
	return strings.Join(out, ", ")
}

// fallback is the machine form: "field: old → new" for each change.
func fallback(st reconcile.Step) string {
	parts := make([]string, len(st.Changes))
	for i, c := range st.Changes {
		parts[i] = fmt.Sprintf("%s: %s → %s", c.Field, c.Old, c.New)
	}
	if len(parts) == 0 {
		return st.Op.Op
	}
	return st.Op.Op + ": " + strings.Join(parts, "; ")
}

func changeOf(st reconcile.Step, field string) *reconcile.Change {
	for i := range st.Changes {
		if st.Changes[i].Field == field {
			return &st.Changes[i]
		}
	}
	return nil
}

func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

// str is a JSON string's value, or the JSON itself when it is not a string.
func str(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// value is a JSON value for people: strings without quotes, null as "none".
func value(raw json.RawMessage) string {
	if isNull(raw) {
		return "none"
	}
	return str(raw)
}
