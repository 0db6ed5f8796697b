// Package importer turns the observed documents of running servers into
// the config a person would write for them (`supctl import`): the inverse
// of the schema's derivation (SPEC §2), so that the config plans no change
// against the same servers, without derived fields and schema defaults,
// with comments saying where and when each part was observed.
package importer

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/supctl/supctl/reconcile"
	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/schema"
)

// Observed is one server's document as supd served it, and when.
type Observed struct {
	State api.State
	At    time.Time
}

// Import is the config of the imported sites, with the provenance of each
// site and server (config path → comment), for the rendered files.
type Import struct {
	Config *schema.Config
	// Notes maps a config path ("sites.P01" or
	// "sites.P01.servers.cm01.corp.example.com", labels joined by NUL) to
	// the lines of the comment written above it.
	Notes map[string][]string
	// Hints say what else to import when the result breaks a rule across
	// sites, e.g. a child site imported without its parent.
	Hints []string
}

// Problem is something observed that no valid config can describe.
type Problem struct {
	Server string // FQDN
	Field  string // in the server document, e.g. "iis.bindings"
	Msg    string // what was observed and why no config describes it
}

func (p Problem) String() string { return p.Server + ": " + p.Field + ": " + p.Msg }

// UndescribableError lists what no config can describe (exit 4).
type UndescribableError struct{ Problems []Problem }

func (e *UndescribableError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return "the observed state cannot be described by a config:\n  " + strings.Join(lines, "\n  ")
}

// SiteServers returns the servers a site server's document names for its
// site: itself, the active SUP and the Internet-based SUP, sorted.
func SiteServers(doc api.Server) []string {
	out := []string{doc.FQDN}
	if cm := doc.ConfigMgr; cm != nil && cm.SoftwareUpdatePoint != nil {
		for _, f := range []string{cm.SoftwareUpdatePoint.Active, cm.SoftwareUpdatePoint.Internet} {
			if f != "" {
				out = append(out, f)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// NotePath is the key of Import.Notes for a config path.
func NotePath(labels ...string) string { return strings.Join(labels, "\x00") }

// Describe returns the config of the sites (code → FQDNs of its servers,
// the site server among them) from the observed documents. minWSUS is the
// lowest WSUS build of each product (policies.MinWSUS): the product is not
// observable, so a site gets the newest one its SUP's WSUS supports. A
// child site's parent is the imported site whose active SUP its
// synchronization source names.
func Describe(sites map[string][]string, obs map[string]Observed, minWSUS map[string]string) (*Import, error) {
	imp := &Import{Config: &schema.Config{Sites: map[string]*schema.Site{}}, Notes: map[string][]string{}}
	var problems []Problem
	codes := make([]string, 0, len(sites))
	for code := range sites {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	for _, code := range codes {
		s, notes, probs, err := describeSite(code, sites[code], obs, minWSUS)
		if err != nil {
			return nil, err
		}
		problems = append(problems, probs...)
		imp.Config.Sites[code] = s
		for k, v := range notes {
			imp.Notes[k] = v
		}
	}
	if len(problems) > 0 {
		return nil, &UndescribableError{Problems: problems}
	}
	for _, code := range codes {
		s := imp.Config.Sites[code]
		parent, how := findParent(s, imp.Config.Sites)
		switch {
		case parent != "":
			s.Parent = parent
			k := NotePath("sites", code)
			imp.Notes[k] = append(imp.Notes[k], how)
		case s.SoftwareUpdatePoint != nil && s.SoftwareUpdatePoint.Sync.Source == "upstream":
			imp.Hints = append(imp.Hints, fmt.Sprintf("site %s synchronizes from %s, the active SUP of no imported site: import its parent site too (--site CODE)", code, s.SoftwareUpdatePoint.Sync.Upstream))
		}
	}
	return imp, nil
}

func describeSite(code string, fqdns []string, obs map[string]Observed, minWSUS map[string]string) (*schema.Site, map[string][]string, []Problem, error) {
	s := &schema.Site{Code: code, Mode: api.ModeMixed, Servers: map[string]*schema.Server{}}
	notes := map[string][]string{}
	var problems []Problem
	fqdns = slices.Compact(slices.Sorted(slices.Values(fqdns)))
	for _, f := range fqdns {
		o, ok := obs[f]
		if !ok {
			return nil, nil, nil, fmt.Errorf("site %s: server %s was not observed", code, f)
		}
		doc := o.State.Server
		srv := &schema.Server{FQDN: f}
		if doc.InternetFQDN != nil {
			srv.InternetFQDN = *doc.InternetFQDN
		}
		if doc.WSUS != nil {
			w, probs := describeWSUS(&doc, supPorts(obs, fqdns, code, f))
			srv.WSUS = w
			problems = append(problems, probs...)
		}
		s.Servers[f] = srv
		notes[NotePath("sites", code, "servers", f)] = []string{observedLine(f, o)}
		cm := doc.ConfigMgr
		if cm == nil || cm.SiteCode != code {
			continue
		}
		if s.SiteServer != "" {
			return nil, nil, nil, fmt.Errorf("site %s: both %s and %s say they are its site server", code, s.SiteServer, f)
		}
		s.SiteServer, s.Mode = f, cm.Mode
		if cm.SoftwareUpdatePoint != nil {
			sup, err := reconcile.Twin[schema.SUP](cm.SoftwareUpdatePoint)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("site %s: software update point: %w", code, err)
			}
			s.SoftwareUpdatePoint = &sup
		}
		agent, err := reconcile.Twin[schema.ClientAgent](cm.ClientAgent)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("site %s: client agent: %w", code, err)
		}
		s.ClientAgent = agent
		notes[NotePath("sites", code)] = []string{fmt.Sprintf(
			"Site %s: mode, softwareUpdatePoint and clientAgent as the ConfigMgr document of %s said at %s (supd document version %d).",
			code, f, o.At.UTC().Format(time.RFC3339), o.State.Version)}
	}
	if s.SiteServer == "" {
		return nil, nil, nil, fmt.Errorf("site %s: none of %s is its site server (configmgr.siteCode)", code, strings.Join(fqdns, ", "))
	}
	var how string
	s.Product, how = product(s, minWSUS)
	k := NotePath("sites", code)
	notes[k] = append(notes[k], how)
	return s, notes, problems, nil
}

// observedLine says where and when a server's document was read.
func observedLine(fqdn string, o Observed) string {
	return fmt.Sprintf("Observed on %s at %s (supd document version %d).", fqdn, o.At.UTC().Format(time.RFC3339), o.State.Version)
}

// supPorts returns the ports the site's ConfigMgr tells for the SUP on
// fqdn (active or Internet-based), or nil when fqdn is no SUP of the site.
// They give the HTTPS port of a website that has no HTTPS binding, which
// the bindings cannot tell.
func supPorts(obs map[string]Observed, fqdns []string, code, fqdn string) *api.Ports {
	for _, f := range fqdns {
		cm := obs[f].State.Server.ConfigMgr
		if cm == nil || cm.SiteCode != code || cm.SoftwareUpdatePoint == nil {
			continue
		}
		if sup := cm.SoftwareUpdatePoint; sup.Active == fqdn || sup.Internet == fqdn {
			p := sup.Ports
			return &p
		}
	}
	return nil
}

// describeWSUS describes a server's WSUS. A console has no website: only
// its install type and build. A WSUS server's website is described by its
// bindings (one http, at most one https whose certificate is in the
// store), whether configuressl ran for the FQDN (ssl), and the roots whose
// sslFlags differ from what ssl implies.
func describeWSUS(doc *api.Server, sup *api.Ports) (*schema.WSUS, []Problem) {
	w := &schema.WSUS{InstallType: doc.WSUS.InstallType, Version: doc.WSUS.Version}
	if w.InstallType != api.InstallServer {
		return w, nil
	}
	var problems []Problem
	bad := func(field, format string, a ...any) {
		problems = append(problems, Problem{Server: doc.FQDN, Field: field, Msg: fmt.Sprintf(format, a...)})
	}
	var https []api.Binding
	var http []api.Binding
	for _, b := range doc.IIS.Bindings {
		if b.Protocol == api.ProtocolHTTPS {
			https = append(https, b)
		} else {
			http = append(http, b)
		}
	}
	switch len(http) {
	case 0:
		bad("iis.bindings", "the WSUS website has no http binding; a config always binds wsus.ports.http (SPEC §2): add the http binding on %s", doc.FQDN)
	case 1:
		w.Ports.HTTP = http[0].Port
	default:
		bad("iis.bindings", "the WSUS website has %d http bindings (ports %s); a config binds exactly one, wsus.ports.http: remove all but one", len(http), ports(http))
	}
	switch len(https) {
	case 0:
		switch {
		case sup != nil:
			w.Ports.HTTPS = sup.HTTPS
		case w.Ports.HTTP == 80:
			w.Ports.HTTPS = 443
		default:
			w.Ports.HTTPS = w.Ports.HTTP + 1 // the pairing rule (SPEC §1)
		}
		if w.Ports.HTTPS > 65535 {
			bad("iis.bindings", "the http binding on port %d has no https port to pair with (a config needs wsus.ports.https in 1–65535): bind https on %s", w.Ports.HTTP, doc.FQDN)
		}
	case 1:
		w.Ports.HTTPS = https[0].Port
		if c := doc.Certificate(https[0].Thumbprint); c != nil {
			w.Certificate = &schema.Certificate{Thumbprint: c.Thumbprint, DNSNames: c.DNSNames, EKU: c.EKU, NotAfter: c.NotAfter}
		} else {
			bad("iis.bindings", "the https binding on port %d uses certificate %s, which is not in the machine store; a config can only declare a certificate of the store", https[0].Port, https[0].Thumbprint)
		}
	default:
		bad("iis.bindings", "the WSUS website has %d https bindings (ports %s); a config binds at most one, wsus.ports.https: remove all but one", len(https), ports(https))
	}
	w.Website = "default"
	if w.Ports != (schema.Ports{HTTP: 80, HTTPS: 443}) {
		w.Website = "custom"
	}
	if n := doc.WSUS.SSLConfiguredFor; n != nil {
		if *n != doc.FQDN {
			bad("wsus.sslConfiguredFor", "configuressl ran for %q, not for the server's FQDN; a config can only ask for the FQDN (SPEC §1): run WSUSUtil.exe configuressl %s", *n, doc.FQDN)
		}
		w.SSL = true
	}
	implied := schema.EffectiveVirtualRoots(w)
	for _, r := range api.VRoots {
		if got := api.CanonicalFlags(doc.IIS.VRoots[r]); !slices.Equal(got, api.CanonicalFlags(implied[r])) {
			if w.VirtualRoots == nil {
				w.VirtualRoots = map[string]schema.VirtualRootTLS{}
			}
			w.VirtualRoots[r] = schema.VirtualRootTLS{SSLFlags: got}
		}
	}
	return w, problems
}

func ports(bs []api.Binding) string {
	s := make([]string, len(bs))
	for i, b := range bs {
		s[i] = fmt.Sprint(b.Port)
	}
	return strings.Join(s, ", ")
}

// product picks the newest product whose lowest WSUS build the site's SUP
// servers (all its WSUS servers when it has no SUP) have: ConfigMgr's
// document does not say which product runs. It returns the product and a
// note saying so.
func product(s *schema.Site, minWSUS map[string]string) (string, string) {
	var on []string
	if sup := s.SoftwareUpdatePoint; sup != nil {
		on = append(on, sup.Active)
		if sup.Internet != "" {
			on = append(on, sup.Internet)
		}
	} else {
		for f := range s.Servers {
			on = append(on, f)
		}
		slices.Sort(on)
	}
	lowest, where := "", ""
	for _, f := range on {
		srv := s.Servers[f]
		if srv == nil || srv.WSUS == nil || srv.WSUS.InstallType != api.InstallServer {
			continue
		}
		if lowest == "" || schema.VersionLess(srv.WSUS.Version, lowest) {
			lowest, where = srv.WSUS.Version, f
		}
	}
	const fallback = "cm2007-sp2"
	if lowest == "" {
		return fallback, "product: not observable, and no WSUS server to infer it from: " + fallback + "."
	}
	best, bestBuild := "", ""
	for p, b := range minWSUS {
		if schema.VersionLess(lowest, b) {
			continue
		}
		if best == "" || schema.VersionLess(bestBuild, b) || (bestBuild == b && p < best) {
			best, bestBuild = p, b
		}
	}
	if best == "" {
		best = fallback
	}
	return best, fmt.Sprintf("product: not observable; %s is the newest product WSUS %s on %s supports.", best, lowest, where)
}

// findParent returns the imported site whose active SUP the
// synchronization source of s names (rule SUP020), and a note saying
// so; "" when s syncs from no such site.
func findParent(s *schema.Site, sites map[string]*schema.Site) (string, string) {
	sup := s.SoftwareUpdatePoint
	if sup == nil || sup.Sync.Source != "upstream" || sup.Sync.Upstream == "" {
		return "", ""
	}
	u, err := url.Parse(sup.Sync.Upstream)
	if err != nil || u.Hostname() == "" {
		return "", ""
	}
	host := strings.ToLower(u.Hostname())
	codes := make([]string, 0, len(sites))
	for code := range sites {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	for _, code := range codes {
		p := sites[code]
		if code == s.Code || p.SoftwareUpdatePoint == nil {
			continue
		}
		if p.SoftwareUpdatePoint.Active == host {
			return code, fmt.Sprintf("parent: %s synchronizes from %s, the active SUP of %s.", s.Code, sup.Sync.Upstream, code)
		}
	}
	return "", ""
}
