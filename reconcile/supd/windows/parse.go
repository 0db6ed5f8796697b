package windows

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/supctl/supctl/reconcile/api"
)

// ReadSchema is the "schema" value of the read script's output.
const ReadSchema = "supctl-read/1"

// RawRead is the read script's stdout: the raw output of each tool, kept as
// text, one field per section.
type RawRead struct {
	Schema string `json:"schema"`
	// Computer is Win32_ComputerSystem as WMI instance text.
	Computer string `json:"computer"`
	// InetStp is "reg query HKLM\SOFTWARE\Microsoft\InetStp /v MajorVersion".
	InetStp string `json:"inetstp"`
	// WSUSSetup is "reg query HKLM\SOFTWARE\Microsoft\Update Services\Server\Setup".
	WSUSSetup string `json:"wsusSetup"`
	// Sites is "appcmd list site /xml".
	Sites string `json:"sites"`
	// Access maps each virtual root to "appcmd list config <site>/<vroot>
	// -section:system.webServer/security/access /xml".
	Access map[string]string `json:"access"`
	// SSLCert is "netsh http show sslcert".
	SSLCert string `json:"sslcert"`
	// Certificates is the listing of Cert:\LocalMachine\My.
	Certificates string `json:"certificates"`
	// ProviderLocation is root\SMS SMS_ProviderLocation as WMI instance text.
	ProviderLocation string `json:"providerLocation"`
	// SUP is every SMS_SCI_SysResUse of role "SMS Software Update Point".
	SUP string `json:"sup"`
}

// IsRawRead reports whether data looks like the read script's output (a
// JSON object with "schema": ReadSchema) rather than a server document.
func IsRawRead(data []byte) bool {
	return bytes.Contains(data, []byte(`"schema":"`+ReadSchema+`"`))
}

// ParseRead turns the read script's stdout into the SPEC §6.1 document,
// normalized. Errors name the section and format that failed.
//
// Not read (no public source; README "What the read leaves out"): the
// server's Internet FQDN (always null), the ConfigMgr site mode (""), the
// SUP's proxy, sync, classification, product, language and supersedence
// settings (zero values), and the Software Updates Client Agent (zero value).
func ParseRead(stdout []byte) (api.Server, error) {
	var raw RawRead
	if err := api.DecodeStrict(bytes.NewReader(stdout), &raw); err != nil {
		return api.Server{}, fmt.Errorf("read output: %w", err)
	}
	if raw.Schema != ReadSchema {
		return api.Server{}, fmt.Errorf("read output: schema %q, want %q", raw.Schema, ReadSchema)
	}
	var s api.Server
	if err := parseComputer(&s, raw.Computer); err != nil {
		return api.Server{}, fmt.Errorf("section computer: %w", err)
	}
	if err := parseIISVersion(raw.InetStp); err != nil {
		return api.Server{}, fmt.Errorf("section inetstp: %w", err)
	}
	certs, err := parseCertListing(raw.Certificates)
	if err != nil {
		return api.Server{}, fmt.Errorf("section certificates: %w", err)
	}
	for _, c := range certs {
		s.Certificates = append(s.Certificates, api.Certificate{Thumbprint: c.Thumbprint, DNSNames: c.DNSNames, EKU: c.EKU, NotAfter: c.NotAfter})
	}
	siteID, err := parseWSUSSetup(&s, raw.WSUSSetup)
	if err != nil {
		return api.Server{}, fmt.Errorf("section wsusSetup: %w", err)
	}
	if siteID != "" {
		if err := parseWebsite(&s, siteID, raw); err != nil {
			return api.Server{}, err
		}
	}
	if err := parseConfigMgr(&s, raw.ProviderLocation, raw.SUP); err != nil {
		return api.Server{}, err
	}
	s.Normalize()
	return s, nil
}

func parseComputer(s *api.Server, text string) error {
	insts, err := parseMOFInstances(text)
	if err != nil {
		return err
	}
	if len(insts) != 1 || insts[0].Class != "Win32_ComputerSystem" {
		return fmt.Errorf("want one instance of Win32_ComputerSystem, found %d instances", len(insts))
	}
	host, domain := insts[0].String("DNSHostName"), insts[0].String("Domain")
	if host == "" || domain == "" {
		return fmt.Errorf("Win32_ComputerSystem has no DNSHostName or Domain")
	}
	s.FQDN = strings.ToLower(host + "." + domain)
	if !dnsNameRE.MatchString(s.FQDN) {
		return fmt.Errorf("%q is not a DNS name", s.FQDN)
	}
	return nil
}

// parseIISVersion refuses IIS 6 and earlier (the read script stops with a
// manual step there; a recorded output saying so is still refused here).
func parseIISVersion(text string) error {
	vals, err := parseRegQuery(text)
	if err != nil || vals == nil {
		return err
	}
	v, ok := vals["majorversion"]
	if !ok {
		return fmt.Errorf("no MajorVersion value")
	}
	n, err := v.dword()
	if err != nil {
		return fmt.Errorf("MajorVersion: %w", err)
	}
	if n < 7 {
		return fmt.Errorf("IIS %d is not supported (IIS 7 or later; IIS 6 is a manual step)", n)
	}
	return nil
}

// parseWSUSSetup fills s.WSUS from the Setup key and returns the WSUS
// website's IIS site ID ("" for a console-only install or no WSUS).
func parseWSUSSetup(s *api.Server, text string) (string, error) {
	vals, err := parseRegQuery(text)
	if err != nil || vals == nil {
		return "", err
	}
	w := &api.WSUS{InstallType: api.InstallConsole}
	v, ok := vals["versionstring"]
	if !ok || v.Type != "REG_SZ" || v.Data == "" {
		return "", fmt.Errorf("no REG_SZ VersionString value")
	}
	w.Version = v.Data
	siteID := ""
	if idx, ok := vals["iistargetwebsiteindex"]; ok {
		n, err := idx.dword()
		if err != nil {
			return "", fmt.Errorf("IISTargetWebsiteIndex: %w", err)
		}
		w.InstallType = api.InstallServer
		siteID = fmt.Sprint(n)
	}
	if u, ok := vals["usingssl"]; ok {
		n, err := u.dword()
		if err != nil {
			return "", fmt.Errorf("UsingSSL: %w", err)
		}
		if name := vals["servercertificatename"].Data; n == 1 && name != "" {
			lower := strings.ToLower(name)
			w.SSLConfiguredFor = &lower
		}
	}
	s.WSUS = w
	return siteID, nil
}

func parseWebsite(s *api.Server, siteID string, raw RawRead) error {
	sites, err := parseAppcmdXML(raw.Sites)
	if err != nil {
		return fmt.Errorf("section sites: %w", err)
	}
	var site *appcmdElement
	for _, e := range sites {
		if e.Name == "SITE" && e.Attrs["SITE.ID"] == siteID {
			site = e
		}
	}
	if site == nil {
		return fmt.Errorf("section sites: no IIS site with ID %s (the WSUS website, IISTargetWebsiteIndex)", siteID)
	}
	bindings, err := parseBindings(site.Attrs["bindings"])
	if err != nil {
		return fmt.Errorf("section sites: site %q: %w", site.Attrs["SITE.NAME"], err)
	}
	certs, err := parseSslCert(raw.SSLCert)
	if err != nil {
		return fmt.Errorf("section sslcert: %w", err)
	}
	for _, b := range bindings {
		if s.Binding(b.Protocol, b.Port) != nil {
			continue // the same port on two IP addresses: one binding in the document
		}
		nb := api.Binding{Protocol: b.Protocol, Port: b.Port}
		if b.Protocol == api.ProtocolHTTPS {
			nb.Thumbprint = certs[fmt.Sprintf("0.0.0.0:%d", b.Port)]
		}
		s.IIS.Bindings = append(s.IIS.Bindings, nb)
	}
	s.IIS.VRoots = map[string][]string{}
	for _, v := range api.VRoots {
		text, ok := raw.Access[v]
		if !ok {
			return fmt.Errorf("section access: no output for virtual root %s", v)
		}
		flags, err := parseAccess(text)
		if err != nil {
			return fmt.Errorf("section access.%s: %w", v, err)
		}
		s.IIS.VRoots[v] = flags
	}
	for v := range raw.Access {
		if !api.IsVRoot(v) {
			return fmt.Errorf("section access: %q is not one of the nine virtual roots", v)
		}
	}
	return nil
}

// parseAccess returns the sslFlags of appcmd list config -section:
// system.webServer/security/access /xml ("None" is no flags).
func parseAccess(text string) ([]string, error) {
	elems, err := parseAppcmdXML(text)
	if err != nil {
		return nil, err
	}
	if len(elems) != 1 || elems[0].Name != "CONFIG" || elems[0].Attrs["CONFIG.SECTION"] != "system.webServer/security/access" {
		return nil, fmt.Errorf("want one CONFIG of section system.webServer/security/access")
	}
	var access *appcmdElement
	for _, c := range elems[0].Children {
		if c.Name == "system.webServer-security-access" {
			access = c
		}
	}
	if access == nil {
		return nil, fmt.Errorf("no <system.webServer-security-access> element")
	}
	flags := []string{}
	for _, f := range strings.Split(access.Attrs["sslFlags"], ",") {
		f = strings.TrimSpace(f)
		switch {
		case f == "" || f == "None":
		case api.IsSSLFlag(f):
			flags = append(flags, f)
		default:
			return nil, fmt.Errorf("sslFlags value %q is not one of None, %s", f, strings.Join(api.SSLFlags, ", "))
		}
	}
	return api.CanonicalFlags(flags), nil
}

func parseConfigMgr(s *api.Server, providerText, supText string) error {
	if strings.TrimSpace(providerText) == "" {
		return nil
	}
	locs, err := parseMOFInstances(providerText)
	if err != nil {
		return fmt.Errorf("section providerLocation: %w", err)
	}
	if len(locs) != 1 || locs[0].Class != "SMS_ProviderLocation" {
		return fmt.Errorf("section providerLocation: want one instance of SMS_ProviderLocation")
	}
	code := strings.ToUpper(locs[0].String("SiteCode"))
	if len(code) != 3 {
		return fmt.Errorf("section providerLocation: site code %q is not three characters", code)
	}
	cm := &api.ConfigMgr{SiteCode: code}
	roles, err := parseMOFInstances(supText)
	if err != nil {
		return fmt.Errorf("section sup: %w", err)
	}
	// Intranet roles first: the active SUP, then the Internet-based one.
	slices.SortStableFunc(roles, func(a, b *mofInstance) int { return boolCmp(isInternetOnly(a), isInternetOnly(b)) })
	for _, r := range roles {
		if r.Class != "SMS_SCI_SysResUse" || r.String("RoleName") != "SMS Software Update Point" {
			return fmt.Errorf("section sup: instance of %s (role %q), want SMS_SCI_SysResUse of the SMS Software Update Point", r.Class, r.String("RoleName"))
		}
		if err := addSUPRole(cm, r); err != nil {
			return fmt.Errorf("section sup: %w", err)
		}
	}
	s.ConfigMgr = cm
	return nil
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// embeddedProps returns the SMS_EmbeddedProperty values (Value) of a role by PropertyName.
func embeddedProps(r *mofInstance) (map[string]int64, error) {
	props := map[string]int64{}
	list, _ := r.Props["Props"].([]any)
	for _, item := range list {
		p, ok := item.(*mofInstance)
		if !ok || p.Class != "SMS_EmbeddedProperty" {
			return nil, errors.New("the Props array holds something other than SMS_EmbeddedProperty")
		}
		if v, ok := p.Props["Value"].(int64); ok {
			props[p.String("PropertyName")] = v
		}
	}
	return props, nil
}

func isInternetOnly(r *mofInstance) bool {
	p, err := embeddedProps(r)
	return err == nil && p["IsINF"] == 1 && p["IsIntranet"] != 1
}

// addSUPRole reads one software update point role: the server from
// NetworkOSPath ("\\FQDN"), and the embedded properties SSLWSUS,
// WSUSIISPort, WSUSIISSSLPort, IsIntranet and IsINF (names: ConfigMgrCBDsc
// DSC_CMSoftwareUpdatePoint; see README).
func addSUPRole(cm *api.ConfigMgr, r *mofInstance) error {
	server := strings.ToLower(strings.TrimLeft(r.String("NetworkOSPath"), `\`))
	if !dnsNameRE.MatchString(server) {
		return fmt.Errorf("NetworkOSPath %q does not name a server by FQDN", r.String("NetworkOSPath"))
	}
	props, err := embeddedProps(r)
	if err != nil {
		return fmt.Errorf("role on %s: %w", server, err)
	}
	intranet, internet := props["IsIntranet"] == 1, props["IsINF"] == 1
	if internet && !intranet && cm.SoftwareUpdatePoint != nil {
		cm.SoftwareUpdatePoint.Internet = server
		return nil
	}
	if cm.SoftwareUpdatePoint != nil {
		return fmt.Errorf("two intranet software update point roles (%s and %s)", cm.SoftwareUpdatePoint.Active, server)
	}
	sup := &api.SUP{Active: server, ClientConnection: "intranet", SSL: props["SSLWSUS"] == 1,
		Ports: api.Ports{HTTP: int(props["WSUSIISPort"]), HTTPS: int(props["WSUSIISSSLPort"])}}
	switch {
	case intranet && internet:
		sup.ClientConnection = "both"
	case internet:
		sup.ClientConnection = "internet"
	}
	cm.SoftwareUpdatePoint = sup
	return nil
}
