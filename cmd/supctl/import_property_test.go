package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/supctl/supctl/cmd/supctl/internal/importer"
	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/client"
	"github.com/supctl/supctl/reconcile/supd/sim"
	"github.com/supctl/supctl/reconcile/supd/supdtest"
)

// The property test of import (issue 19): for layouts made by the sim's
// own operations, sent to real supd processes started from the fixture
// documents, `supctl import` of any choice of sites either writes a repo
// that vets clean and plans no change against the same servers, or exits 4
// saying what no config can describe and writes nothing. A layout made
// only of what the rules allow must import.

// propertyCases bounds the cases; propertySeed makes them the same on
// every run (a failure names its case).
const (
	propertyCases = 24
	propertySeed  = 19
)

// universeSite is a site of the test universe: its site server and the
// WSUS servers that may host its SUPs.
type universeSite struct {
	code       string
	siteServer string
	wsus       []string // WSUS servers (installType server) of the site, the site server included when it is one
	internet   string   // a DMZ server with an Internet FQDN, or ""
	cb         bool     // Current Branch (WSUS 10.0)
	parents    []string // codes it may synchronize from
}

// universe returns the starting documents, made from fixtures/servers by
// renaming (a site of its own per copy), and the sites.
func universe(t *testing.T) ([]api.Server, []universeSite) {
	t.Helper()
	fixture := func(layout, fqdn string, renames ...string) api.Server {
		b := readFile(t, filepath.Join(fixturesDir, "servers", layout, fqdn+".json"))
		for i := 0; i < len(renames); i += 2 {
			b = bytes.ReplaceAll(b, []byte(renames[i]), []byte(renames[i+1]))
		}
		var d api.Server
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	docs := []api.Server{
		fixture("native-hierarchy", "cm01.cen.corp.example.com"),
		fixture("native-hierarchy", "sup01.cen.corp.example.com"),
		fixture("native-hierarchy", "sup01.cen.corp.example.com", "sup01.cen", "sup02.cen", "A1B2C3", "D1B2C3"),
		fixture("native-hierarchy", "sup01.cen.corp.example.com", "sup01.cen", "sup03.cen", "A1B2C3", "D2B2C3"),
		fixture("native-hierarchy", "isup01.dmz.corp.example.com"),
		fixture("native-hierarchy", "cm01.pr1.corp.example.com"),
		fixture("native-hierarchy", "sup01.cen.corp.example.com", "sup01.cen", "sup01.pr1", "A1B2C3", "E1B2C3"),
		fixture("native-hierarchy", "cm01.pr1.corp.example.com", "pr1", "pr2", "PR1", "PR2", "C1B2C3", "F1B2C3"),
		fixture("mixed-http", "cm01.corp.example.com"),
		fixture("current-branch", "cm01.cb.corp.example.com"),
		fixture("current-branch", "sup01.cb.corp.example.com"),
	}
	sites := []universeSite{
		{code: "CEN", siteServer: "cm01.cen.corp.example.com", wsus: []string{"sup01.cen.corp.example.com", "sup02.cen.corp.example.com", "sup03.cen.corp.example.com"}, internet: "isup01.dmz.corp.example.com"},
		{code: "PR1", siteServer: "cm01.pr1.corp.example.com", wsus: []string{"cm01.pr1.corp.example.com", "sup01.pr1.corp.example.com"}, parents: []string{"CEN"}},
		{code: "PR2", siteServer: "cm01.pr2.corp.example.com", wsus: []string{"cm01.pr2.corp.example.com"}, parents: []string{"PR1", "PR1", "CEN"}},
		{code: "P01", siteServer: "cm01.corp.example.com", wsus: []string{"cm01.corp.example.com"}},
		{code: "CB1", siteServer: "cm01.cb.corp.example.com", wsus: []string{"sup01.cb.corp.example.com"}, cb: true},
	}
	return docs, sites
}

// layout is one generated case: what each site's SUP looks like, and the
// state every server is brought to.
type layout struct {
	sites   map[string]*siteIntent
	servers map[string]*serverIntent
	// noise is a description of the one deliberate departure from what the
	// rules allow, "" for a layout that must import.
	noise string
	// selected are the sites to import; extra are --server FQDNs.
	selected []string
	extra    []string
}

type siteIntent struct {
	active, internet string
	parent           string
	sup              *api.SUP // nil: no SUP (noise)
	mode             string
	agent            api.ClientAgent
}

type serverIntent struct {
	http, https int  // https 0: no https binding
	ssl         bool // five roots require SSL + configuressl for the FQDN
	extraFlags  map[string][]string
	// configuredFor overrides the configuressl name (noise).
	configuredFor string
	extraHTTP     int // a second http binding (noise)
	noHTTP        bool
}

var portPairs = []api.Ports{{HTTP: 80, HTTPS: 443}, {HTTP: 8530, HTTPS: 8531}, {HTTP: 8080, HTTPS: 8081}}

// generate makes a layout of the universe from the current documents.
func generate(r *rand.Rand, docs map[string]api.Server, sites []universeSite) *layout {
	l := &layout{sites: map[string]*siteIntent{}, servers: map[string]*serverIntent{}}
	hasCert := func(f string) bool {
		d := docs[f]
		for _, c := range d.Certificates {
			if (&c).Names(f) {
				return true
			}
		}
		return false
	}
	// Every WSUS server gets a state of its own; SUP servers are then set
	// the way their site needs.
	for _, f := range slices.Sorted(maps.Keys(docs)) {
		d := docs[f]
		if d.WSUS == nil || d.WSUS.InstallType != api.InstallServer {
			continue
		}
		p := portPairs[r.IntN(len(portPairs))]
		si := &serverIntent{http: p.HTTP}
		if hasCert(f) && r.IntN(2) == 0 {
			si.https, si.ssl = p.HTTPS, r.IntN(2) == 0
		}
		l.servers[f] = si
	}
	for _, s := range sites {
		in := &siteIntent{active: s.wsus[r.IntN(len(s.wsus))], mode: api.ModeMixed}
		p := portPairs[r.IntN(len(portPairs))]
		ssl := !s.cb && hasCert(in.active) && r.IntN(2) == 0
		sup := &api.SUP{
			Active: in.active, ClientConnection: []string{"intranet", "internet", "both"}[r.IntN(3)], SSL: ssl, Ports: p,
			Sync:            api.Sync{Source: []string{"microsoft-update", "none"}[r.IntN(2)], ReportingEvents: []string{"none", "status-only", "all"}[r.IntN(3)]},
			Classifications: pick(r, "Critical Updates", "Security Updates", "Service Packs", "Update Rollups"),
			Products:        pick(r, "Windows 7", "Windows XP", "Windows Server 2008 R2"),
			Languages:       pick(r, "English", "German", "French"),
			Supersedence:    api.Supersedence{Expire: "immediately"},
		}
		if r.IntN(2) == 0 {
			sup.Sync.Schedule = schedule(r, 31)
		}
		if r.IntN(3) == 0 {
			sup.Supersedence = api.Supersedence{Expire: "after-months", Months: 1 + r.IntN(99)}
		}
		if r.IntN(4) == 0 {
			sup.Proxy = &api.Proxy{Server: "proxy.corp.example.com", Port: 3128, ForSync: r.IntN(2) == 0}
		}
		if ssl && r.IntN(3) > 0 {
			in.mode = api.ModeNative
		}
		if s.internet != "" && in.mode == api.ModeNative && r.IntN(4) > 0 {
			in.internet, sup.Internet, sup.ClientConnection = s.internet, s.internet, "intranet"
		}
		if len(s.parents) > 0 && r.IntN(4) > 0 {
			in.parent = s.parents[r.IntN(len(s.parents))]
		}
		in.sup = sup
		in.agent = api.ClientAgent{Enabled: r.IntN(5) > 0, ScanSchedule: *schedule(r, 31), ReevaluationSchedule: *schedule(r, 31),
			EnforceMandatory: r.IntN(2) == 0, DeadlineWindow: *schedule(r, 365), HideFromUsers: r.IntN(4) == 0}
		if s.cb && (in.agent.ScanSchedule.Hours > 0 || in.agent.ReevaluationSchedule.Hours > 0) {
			in.agent.ScanSchedule, in.agent.ReevaluationSchedule = api.Schedule{Days: 1}, api.Schedule{Days: 1}
		}
		for _, f := range []string{in.active, in.internet} {
			if f == "" {
				continue
			}
			si := l.servers[f]
			si.http, si.https, si.ssl = p.HTTP, 0, ssl
			if ssl || (hasCert(f) && r.IntN(2) == 0) {
				si.https = p.HTTPS
			}
			if ssl && r.IntN(4) == 0 {
				si.extraFlags = map[string][]string{api.VRootClientWebService: {api.FlagSsl, api.FlagSsl128}}
			}
		}
		l.sites[s.code] = in
	}
	// A parent's SUP must be known before a child's upstream: walk in order.
	for _, s := range sites {
		in := l.sites[s.code]
		if in.parent == "" {
			continue
		}
		ps := l.sites[in.parent].sup
		u := fmt.Sprintf("http://%s:%d", ps.Active, ps.Ports.HTTP)
		if ps.SSL {
			u = fmt.Sprintf("https://%s:%d", ps.Active, ps.Ports.HTTPS)
		}
		in.sup.Sync = api.Sync{Source: "upstream", Upstream: u, Schedule: in.sup.Sync.Schedule, ReportingEvents: in.sup.Sync.ReportingEvents}
	}
	// The sites to import: all, or CEN alone with some of its WSUS servers
	// no SUP names (up to 5 servers), or a random one with its ancestors.
	var pickSites func(code string)
	pickSites = func(code string) {
		if !slices.Contains(l.selected, code) {
			l.selected = append(l.selected, code)
		}
		if p := l.sites[code].parent; p != "" {
			pickSites(p)
		}
	}
	switch r.IntN(3) {
	case 0:
		for _, s := range sites {
			pickSites(s.code)
		}
	case 1:
		l.selected = []string{sites[0].code}
		cen := l.sites[sites[0].code]
		for _, f := range append([]string{sites[0].internet}, sites[0].wsus...) {
			if f != cen.active && f != cen.internet && r.IntN(4) > 0 {
				l.extra = append(l.extra, f)
			}
		}
	default:
		pickSites(sites[r.IntN(len(sites))].code)
	}
	if r.IntN(3) == 0 {
		addNoise(r, l)
	}
	return l
}

// allFeatures are what the imported layouts must have covered, each at
// least once.
var allFeatures = []string{
	"console site server", "co-located SUP", "remote SUP", "Internet-based SUP", "SSL", "no SSL",
	"native mode", "ports 80/443", "ports 8530/8531", "other ports", "2-level hierarchy",
	"3-level hierarchy", "5-server site", "Current Branch",
}

// features lists the allFeatures of the imported sites of l.
func (l *layout) features(sites []universeSite) []string {
	var out []string
	add := func(f string) {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	for _, s := range sites {
		in := l.sites[s.code]
		if !slices.Contains(l.selected, s.code) || in.sup == nil {
			continue
		}
		if !slices.Contains(s.wsus, s.siteServer) {
			add("console site server")
		}
		if in.active == s.siteServer {
			add("co-located SUP")
		} else {
			add("remote SUP")
		}
		if in.internet != "" {
			add("Internet-based SUP")
		}
		if in.sup.SSL {
			add("SSL")
		} else {
			add("no SSL")
		}
		if in.mode == api.ModeNative {
			add("native mode")
		}
		switch in.sup.Ports {
		case portPairs[0]:
			add("ports 80/443")
		case portPairs[1]:
			add("ports 8530/8531")
		default:
			add("other ports")
		}
		if in.parent != "" {
			add("2-level hierarchy")
			if l.sites[in.parent].parent != "" {
				add("3-level hierarchy")
			}
		}
		servers := 1 + len(l.extra)
		for _, f := range []string{in.active, in.internet} {
			if f != "" && f != s.siteServer {
				servers++
			}
		}
		if servers == 5 {
			add("5-server site")
		}
		if s.cb {
			add("Current Branch")
		}
	}
	return out
}

// addNoise makes one departure from what the rules allow or a config can
// describe.
func addNoise(r *rand.Rand, l *layout) {
	code := l.selected[r.IntN(len(l.selected))]
	in := l.sites[code]
	active := l.servers[in.active]
	switch r.IntN(8) {
	case 0:
		active.extraHTTP = 9999
		l.noise = "a second http binding on " + in.active
	case 1:
		active.noHTTP = true
		l.noise = "no http binding on " + in.active
	case 2:
		active.extraFlags = map[string][]string{api.VRootClientWebService: {api.FlagSslNegotiateCert}}
		l.noise = "SslNegotiateCert on " + in.active
	case 3:
		in.sup.Ports.HTTP++
		l.noise = "SUP ports differ from the website of " + in.active
	case 4:
		in.sup, in.mode = nil, api.ModeMixed
		l.noise = "no SUP in site " + code
	case 5:
		if in.parent != "" {
			l.selected = slices.DeleteFunc(l.selected, func(c string) bool { return c == in.parent })
			l.noise = "child " + code + " imported without its parent"
			return
		}
		active.extraFlags = map[string][]string{api.VRootContent: {api.FlagSsl}}
		l.noise = "Content requires SSL on " + in.active
	case 6:
		if in.internet != "" {
			l.servers[in.internet].configuredFor = "updates.example.com"
			l.noise = "configuressl for the Internet FQDN on " + in.internet
			return
		}
		active.extraFlags = map[string][]string{api.VRootSelfUpdate: {api.FlagSsl}}
		l.noise = "SelfUpdate requires SSL on " + in.active
	default:
		if active.ssl {
			active.configuredFor = "-"
			l.noise = "configuressl not run on the SSL SUP " + in.active
			return
		}
		active.extraFlags = map[string][]string{api.VRootInventory: {api.FlagSslRequireCert}}
		l.noise = "SslRequireCert on " + in.active
	}
}

func pick(r *rand.Rand, from ...string) []string {
	var out []string
	for _, s := range from {
		if r.IntN(2) == 0 {
			out = append(out, s)
		}
	}
	return out
}

func schedule(r *rand.Rand, maxDays int) *api.Schedule {
	if r.IntN(3) == 0 {
		return &api.Schedule{Hours: 1 + r.IntN(23)}
	}
	return &api.Schedule{Days: 1 + r.IntN(maxDays)}
}

// ops returns the operations that bring doc to the server's intent (and,
// on a site server, its site's), checked with the sim: invalid ones fail
// the test, no-ops are left out.
func ops(t *testing.T, doc api.Server, si *serverIntent, site *siteIntent) []api.Op {
	t.Helper()
	var out []api.Op
	send := func(name string, args any) {
		op, err := api.NewOp(name, args)
		if err != nil {
			t.Fatal(err)
		}
		decoded, err := api.DecodeArgs(op)
		if err != nil {
			t.Fatal(err)
		}
		next, changed, err := sim.Apply(doc, name, decoded)
		if err != nil {
			t.Fatalf("generated an invalid op on %s: %s %s: %v", doc.FQDN, name, op.Args, err)
		}
		if changed {
			doc = next
			out = append(out, op)
		}
	}
	if si != nil {
		thumb := ""
		for _, c := range doc.Certificates {
			if (&c).Names(doc.FQDN) {
				thumb = c.Thumbprint
			}
		}
		want := []api.Binding{}
		if !si.noHTTP {
			want = append(want, api.Binding{Protocol: api.ProtocolHTTP, Port: si.http})
		}
		if si.extraHTTP != 0 {
			want = append(want, api.Binding{Protocol: api.ProtocolHTTP, Port: si.extraHTTP})
		}
		if si.https != 0 {
			want = append(want, api.Binding{Protocol: api.ProtocolHTTPS, Port: si.https, Thumbprint: thumb})
		}
		for _, b := range slices.Clone(doc.IIS.Bindings) {
			if !slices.Contains(want, b) {
				send(api.OpRemoveBinding, api.RemoveBindingArgs{Protocol: b.Protocol, Port: b.Port})
			}
		}
		for _, b := range want {
			send(api.OpAddBinding, api.AddBindingArgs(b))
		}
		for _, v := range api.VRoots {
			flags := []string{}
			if si.ssl && slices.Contains(api.SSLRoots, v) {
				flags = []string{api.FlagSsl}
			}
			if f, ok := si.extraFlags[v]; ok {
				flags = f
			}
			send(api.OpSetSslFlags, api.SetSslFlagsArgs{VRoot: v, Flags: flags})
		}
		switch name := cmp.Or(si.configuredFor, doc.FQDN); {
		case name == "-" || !si.ssl && si.configuredFor == "":
			send(api.OpUnconfigureSsl, api.UnconfigureSslArgs{})
		default:
			send(api.OpConfigureSsl, api.ConfigureSslArgs{CertificateName: name})
		}
	}
	if site != nil {
		if site.mode == api.ModeMixed {
			send(api.OpSetSiteMode, api.SetSiteModeArgs{Mode: api.ModeMixed})
		}
		send(api.OpSetSoftwareUpdatePoint, site.sup)
		send(api.OpSetSiteMode, api.SetSiteModeArgs{Mode: site.mode})
		send(api.OpSetClientAgent, site.agent)
	}
	return out
}

// TestImportRoundTripProperty: see the comment at the top of the file.
func TestImportRoundTripProperty(t *testing.T) {
	bin, err := supdtest.Build(t.TempDir(), "supd")
	if err != nil {
		t.Fatal(err)
	}
	docs, sites := universe(t)
	w := startWorld(t, bin, docs)
	clients := map[string]*client.Client{}
	for f, p := range w.procs {
		clients[f] = p.Client(t, supdtest.WriteToken)
	}
	siteOf := map[string]*universeSite{}
	for i := range sites {
		siteOf[sites[i].siteServer] = &sites[i]
	}
	// supctl gets the read token only: import, vet and plan never write.
	c := &cli{t: t, env: map[string]string{"SUPCTL_TODAY": "2026-11-25", "SUPCTL_READ_TOKEN": supdtest.ReadToken, "SUPCTL_TOKEN_HOSTS": "*.example.com"}}
	r := rand.New(rand.NewPCG(propertySeed, 0))
	ctx := context.Background()
	var imported, refused, clean int
	covered := map[string]int{} // features of the layouts that imported
	for n := range propertyCases {
		current := map[string]api.Server{}
		for f, cl := range clients {
			st, err := cl.GetState(ctx)
			if err != nil {
				t.Fatal(err)
			}
			current[f] = st.Server
		}
		l := generate(r, current, sites)
		for f, cl := range clients {
			var site *siteIntent
			if s := siteOf[f]; s != nil {
				site = l.sites[s.code]
			}
			for _, op := range ops(t, current[f], l.servers[f], site) {
				if _, err := cl.Op(ctx, -1, "", op); err != nil {
					t.Fatalf("case %d: %s %s on %s: %v", n, op.Op, op.Args, f, err)
				}
			}
		}
		explicit := n%4 == 3 // every fourth case keeps defaults and derived fields
		desc := fmt.Sprintf("case %d: sites %v, --server %v, explicit %v, noise %q", n, l.selected, l.extra, explicit, cmp.Or(l.noise, "none"))
		out := filepath.Join(t.TempDir(), "repo") + "/"
		format := importer.Formats[r.IntN(len(importer.Formats))]
		args := []string{"import", "--endpoints", w.endpoints, "--out", out, "--format", format}
		if explicit {
			args = append(args, "--explicit")
		}
		for _, code := range l.selected {
			args = append(args, "--site", code)
		}
		for _, f := range l.extra {
			args = append(args, "--server", f)
		}
		code := c.run(args...)
		if l.noise == "" {
			clean++
		}
		switch {
		case code == exitOK:
			imported++
			for _, f := range l.features(sites) {
				covered[f]++
			}
			files, _ := filepath.Glob(filepath.Join(out, "*."+format))
			if len(files) != len(l.selected) {
				t.Fatalf("%s: import wrote %v, want one file per site", desc, files)
			}
			if got := c.run("vet", out); got != exitOK {
				t.Fatalf("%s: the imported repo does not vet clean (exit %d)", desc, got)
			}
			if got := c.run("plan", "--detailed-exitcode", "--endpoints", w.endpoints, out); got != exitOK {
				t.Fatalf("%s: the imported repo plans changes (exit %d)", desc, got)
			}
		case code == exitTarget && l.noise != "":
			refused++
			msg := c.stderr.String()
			if !strings.Contains(msg, "nothing was written") && !strings.Contains(msg, "cannot be described") {
				t.Fatalf("%s: exit 4 without saying what cannot be described:\n%s", desc, msg)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Fatalf("%s: exit 4 but %s was created (%v)", desc, out, err)
			}
		default:
			t.Fatalf("%s: import exited %d\n%s", desc, code, c.stderr.String())
		}
		t.Logf("%s: exit %d", desc, code)
	}
	t.Logf("%d cases: %d imported, %d refused (exit 4), %d without noise; imported layouts had %v", propertyCases, imported, refused, clean, covered)
	for _, f := range allFeatures {
		if covered[f] == 0 {
			t.Errorf("no imported layout had %s: the generator no longer covers it", f)
		}
	}
	if imported < propertyCases/2 || refused == 0 {
		t.Fatalf("the generator is off: %d imported, %d refused of %d", imported, refused, propertyCases)
	}
}
