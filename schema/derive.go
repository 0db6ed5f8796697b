package schema

import (
	"sort"
	"strconv"
	"strings"
)

// VirtualRoots are the nine WSUS virtual roots, in the order of SPEC §1.
var VirtualRoots = []string{
	"ApiRemoting30", "ClientWebService", "DSSAuthWebService", "ServerSyncWebService",
	"SimpleAuthWebService", "Content", "Inventory", "ReportingWebService", "SelfUpdate",
}

// SSLVirtualRoots are the five roots that require SSL when WSUS uses SSL.
var SSLVirtualRoots = []string{
	"ApiRemoting30", "ClientWebService", "DSSAuthWebService", "ServerSyncWebService", "SimpleAuthWebService",
}

// IsSSLVirtualRoot reports whether vroot is one of the five SSL roots.
func IsSSLVirtualRoot(vroot string) bool {
	for _, r := range SSLVirtualRoots {
		if r == vroot {
			return true
		}
	}
	return false
}

// Binding is one IIS binding of the WSUS website.
type Binding struct {
	Protocol   string `json:"protocol"`
	Port       int    `json:"port"`
	Thumbprint string `json:"thumbprint,omitempty"`
}

// DesiredServer is the concrete state derived for one server (SPEC §2).
type DesiredServer struct {
	FQDN string `json:"fqdn"`
	Site string `json:"site"`
	// Website is true when the server runs WSUS (installType "server"): only
	// then are Bindings, VirtualRoots and SSLConfiguredFor managed.
	Website bool `json:"website"`
	// WSUS is the declared WSUS (nil: none declared). Its Version is a floor.
	WSUS *WSUS `json:"wsus,omitempty"`
	// Bindings: HTTP always; HTTPS with the certificate when one is declared.
	Bindings []Binding `json:"bindings,omitempty"`
	// VirtualRoots holds the sslFlags of all nine roots.
	VirtualRoots map[string][]string `json:"virtualRoots,omitempty"`
	// SSLConfiguredFor is the configuressl name: the FQDN when ssl, else "".
	SSLConfiguredFor string `json:"sslConfiguredFor,omitempty"`
	// ConfigMgr is set on the site server.
	ConfigMgr *DesiredConfigMgr `json:"configmgr,omitempty"`
}

// DesiredConfigMgr is the ConfigMgr part of a site server.
type DesiredConfigMgr struct {
	SiteCode            string      `json:"siteCode"`
	Mode                string      `json:"mode"`
	SoftwareUpdatePoint *SUP        `json:"softwareUpdatePoint"`
	ClientAgent         ClientAgent `json:"clientAgent"`
}

// EffectiveVirtualRoots returns the sslFlags of all nine roots of w: ["Ssl"]
// on the five SSL roots when w.SSL, [] elsewhere, unless VirtualRoots says
// otherwise.
func EffectiveVirtualRoots(w *WSUS) map[string][]string {
	out := make(map[string][]string, len(VirtualRoots))
	for _, r := range VirtualRoots {
		flags := []string{}
		if w.SSL && IsSSLVirtualRoot(r) {
			flags = []string{"Ssl"}
		}
		if o, ok := w.VirtualRoots[r]; ok {
			flags = append([]string{}, o.SSLFlags...)
		}
		out[r] = flags
	}
	return out
}

// Derive returns the desired state of every server of the site, sorted by FQDN.
func (s *Site) Derive() []DesiredServer {
	out := make([]DesiredServer, 0, len(s.Servers))
	for fqdn, srv := range s.Servers {
		d := DesiredServer{FQDN: fqdn, Site: s.Code, WSUS: srv.WSUS}
		if w := srv.WSUS; w != nil && w.InstallType == "server" {
			d.Website = true
			d.Bindings = []Binding{{Protocol: "http", Port: w.Ports.HTTP}}
			if w.Certificate != nil {
				d.Bindings = append(d.Bindings, Binding{Protocol: "https", Port: w.Ports.HTTPS, Thumbprint: w.Certificate.Thumbprint})
			}
			d.VirtualRoots = EffectiveVirtualRoots(w)
			if w.SSL {
				d.SSLConfiguredFor = fqdn
			}
		}
		if fqdn == s.SiteServer {
			d.ConfigMgr = &DesiredConfigMgr{SiteCode: s.Code, Mode: s.Mode, SoftwareUpdatePoint: s.SoftwareUpdatePoint, ClientAgent: s.ClientAgent}
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].FQDN < out[j].FQDN })
	return out
}

// VersionLess reports whether build a is below build b, comparing dotted
// numeric builds ("3.2.7600.283") part by part; a part that is not a number
// compares as 0. A declared wsus.version is a floor for the observed build.
func VersionLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x < y
		}
	}
	return false
}
