package fakewin

import (
	"fmt"
	"sort"
	"strings"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/supd/windows"
)

// The renderers below write each tool's output in its real format, from the
// machine's model. Where each format comes from: ../testdata/README.md.

const crlf = "\r\n"

func (m *Machine) render() windows.RawRead {
	d := &m.Doc
	raw := windows.RawRead{Schema: windows.ReadSchema, Access: map[string]string{}}
	host, domain, _ := strings.Cut(d.FQDN, ".")
	raw.Computer = renderMOF("Win32_ComputerSystem", []mofProp{
		{"Caption", mofStr(strings.ToUpper(host))},
		{"DNSHostName", mofStr(strings.ToUpper(host))},
		{"Domain", mofStr(domain)},
		{"Name", mofStr(strings.ToUpper(host))},
		{"PartOfDomain", "TRUE"},
	}) + crlf
	if m.IISMajor > 0 {
		raw.InetStp = renderReg(`HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\InetStp`, []regVal{{"MajorVersion", "REG_DWORD", fmt.Sprintf("0x%x", m.IISMajor)}})
	}
	if w := d.WSUS; w != nil {
		vals := []regVal{
			{"ContentDir", "REG_EXPAND_SZ", `D:\WSUS`},
			{"SqlServerName", "REG_SZ", strings.ToUpper(host) + `\MICROSOFT##SSEE`},
			{"SqlDatabaseName", "REG_SZ", "SUSDB"},
			{"TargetDir", "REG_SZ", `C:\Program Files\Update Services\`},
			{"VersionString", "REG_SZ", w.Version},
		}
		if w.InstallType == api.InstallServer {
			vals = append(vals, regVal{"IISTargetWebSiteIndex", "REG_DWORD", fmt.Sprintf("0x%x", m.SiteID)})
			using := "0x0"
			if w.SSLConfiguredFor != nil {
				using = "0x1"
				vals = append(vals, regVal{"ServerCertificateName", "REG_SZ", *w.SSLConfiguredFor})
			}
			vals = append(vals, regVal{"UsingSSL", "REG_DWORD", using})
		}
		raw.WSUSSetup = renderReg(`HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Update Services\Server\Setup`, vals)
	}
	if m.IISMajor >= 7 {
		raw.Sites = m.renderSites()
		if d.WSUS != nil && d.WSUS.InstallType == api.InstallServer {
			for _, v := range api.VRoots {
				raw.Access[v] = renderAccess(m.siteName()+"/"+v, d.IIS.VRoots[v])
			}
		}
	}
	raw.SSLCert = renderSslCert(d.IIS.Bindings)
	raw.Certificates = renderCerts(d.Certificates)
	if cm := d.ConfigMgr; cm != nil {
		raw.ProviderLocation = renderMOF("SMS_ProviderLocation", []mofProp{
			{"Machine", mofStr(d.FQDN)},
			{"NamespacePath", mofStr(`\\` + d.FQDN + `\root\sms\site_` + cm.SiteCode)},
			{"ProviderForLocalSite", "TRUE"},
			{"SiteCode", mofStr(cm.SiteCode)},
		}) + crlf
		if sup := cm.SoftwareUpdatePoint; sup != nil {
			intranet, internet := "1", "0"
			switch sup.ClientConnection {
			case "internet":
				intranet, internet = "0", "1"
			case "both":
				internet = "1"
			}
			raw.SUP = renderSUPRole(cm.SiteCode, sup.Active, sup, intranet, internet)
			if sup.Internet != "" {
				raw.SUP += renderSUPRole(cm.SiteCode, sup.Internet, sup, "0", "1")
			}
		}
	}
	return raw
}

func (m *Machine) siteName() string {
	if m.SiteID == 1 {
		return "Default Web Site"
	}
	return "WSUS Administration"
}

// renderSites writes appcmd list site /xml.
func (m *Machine) renderSites() string {
	var parts []string
	for _, b := range m.Doc.IIS.Bindings {
		parts = append(parts, fmt.Sprintf("%s/*:%d:", b.Protocol, b.Port))
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + crlf + "<appcmd>" + crlf)
	wsus := m.Doc.WSUS != nil && m.Doc.WSUS.InstallType == api.InstallServer
	if !wsus || m.SiteID != 1 {
		fmt.Fprintf(&b, `    <SITE SITE.NAME="Default Web Site" SITE.ID="1" bindings="" state="Stopped" />`+crlf)
	}
	if wsus {
		fmt.Fprintf(&b, `    <SITE SITE.NAME="%s" SITE.ID="%d" bindings="%s" state="Started" />`+crlf, m.siteName(), m.SiteID, strings.Join(parts, ","))
	}
	b.WriteString("</appcmd>" + crlf)
	return b.String()
}

// renderAccess writes appcmd list config <path> -section:system.webServer/security/access /xml.
func renderAccess(path string, flags []string) string {
	v := "None"
	if len(flags) > 0 {
		v = strings.Join(api.CanonicalFlags(flags), ",")
	}
	return `<?xml version="1.0" encoding="UTF-8"?>` + crlf + "<appcmd>" + crlf +
		`    <CONFIG CONFIG.SECTION="system.webServer/security/access" path="MACHINE/WEBROOT/APPHOST/` + xmlEscape(path) + `" overrideMode="Inherit" locked="false">` + crlf +
		`        <system.webServer-security-access sslFlags="` + v + `" />` + crlf +
		"    </CONFIG>" + crlf + "</appcmd>" + crlf
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

// renderSslCert writes netsh http show sslcert.
func renderSslCert(bindings []api.Binding) string {
	var b strings.Builder
	b.WriteString(crlf + "SSL Certificate bindings:" + crlf + "-------------------------" + crlf + crlf)
	for _, bd := range bindings {
		if bd.Protocol != api.ProtocolHTTPS || bd.Thumbprint == "" {
			continue
		}
		fmt.Fprintf(&b, "    IP:port                 : 0.0.0.0:%d"+crlf, bd.Port)
		fmt.Fprintf(&b, "    Certificate Hash        : %s"+crlf, strings.ToLower(bd.Thumbprint))
		b.WriteString("    Application ID          : {9e575eb5-1f81-4f6e-867d-4ea983e56357}" + crlf)
		b.WriteString("    Certificate Store Name  : MY" + crlf)
		b.WriteString("    Verify Client Certificate Revocation    : Enabled" + crlf)
		b.WriteString("    Verify Revocation Using Cached Client Certificate Only    : Disabled" + crlf)
		b.WriteString("    Usage Check    : Enabled" + crlf)
		b.WriteString("    Revocation Freshness Time : 0" + crlf)
		b.WriteString("    URL Retrieval Timeout   : 0" + crlf)
		b.WriteString("    Ctl Identifier          : (null)" + crlf)
		b.WriteString("    Ctl Store Name          : (null)" + crlf)
		b.WriteString("    DS Mapper Usage    : Disabled" + crlf)
		b.WriteString("    Negotiate Client Certificate    : Disabled" + crlf + crlf)
	}
	return b.String()
}

// renderCerts writes the read script's listing of Cert:\LocalMachine\My.
func renderCerts(certs []api.Certificate) string {
	var b strings.Builder
	for _, c := range certs {
		san := make([]string, len(c.DNSNames))
		for i, n := range c.DNSNames {
			san[i] = "DNS Name=" + n
		}
		fmt.Fprintf(&b, "Thumbprint : %s\nNotAfter   : %s\nEKU        : %s\nSAN        : %s\n\n", c.Thumbprint, c.NotAfter, strings.Join(c.EKU, ";"), strings.Join(san, ", "))
	}
	return b.String()
}

type regVal struct{ name, typ, data string }

// renderReg writes reg query KEY.
func renderReg(key string, vals []regVal) string {
	sort.Slice(vals, func(i, j int) bool { return vals[i].name < vals[j].name })
	var b strings.Builder
	b.WriteString(crlf + key + crlf)
	for _, v := range vals {
		b.WriteString("    " + v.name + "    " + v.typ + "    " + v.data + crlf)
	}
	b.WriteString(crlf)
	return b.String()
}

type mofProp struct{ name, value string }

func mofStr(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// renderMOF writes one instance as ManagementBaseObject.GetText(TextFormat.Mof) does.
func renderMOF(class string, props []mofProp) string {
	var b strings.Builder
	b.WriteString(crlf + "instance of " + class + crlf + "{" + crlf)
	for _, p := range props {
		b.WriteString("\t" + p.name + " = " + p.value + ";" + crlf)
	}
	b.WriteString("};")
	return b.String()
}

func renderSUPRole(site, server string, sup *api.SUP, intranet, internet string) string {
	ssl := "0"
	if sup.SSL {
		ssl = "1"
	}
	emb := func(name, value string) string {
		return crlf + "instance of SMS_EmbeddedProperty" + crlf + "{" + crlf +
			"\tPropertyName = " + mofStr(name) + ";" + crlf +
			"\tValue = " + value + ";" + crlf +
			"\tValue1 = \"\";" + crlf + "\tValue2 = \"\";" + crlf + "}"
	}
	props := "{" + strings.Join([]string{
		emb("IsINF", internet), emb("IsIntranet", intranet), emb("SSLWSUS", ssl),
		emb("UseProxy", "0"), emb("WSUSIISPort", fmt.Sprint(sup.Ports.HTTP)), emb("WSUSIISSSLPort", fmt.Sprint(sup.Ports.HTTPS)),
	}, ", ") + "}"
	host, _, _ := strings.Cut(server, ".")
	nal := `["Display=\\` + strings.ToUpper(host) + `\"]MSWNET:["SMS_SITE=` + site + `"]\\` + strings.ToUpper(host) + `\`
	return renderMOF("SMS_SCI_SysResUse", []mofProp{
		{"FileType", "2"},
		{"ItemName", mofStr(`["Display=\\` + strings.ToUpper(host) + `\"]MSWNET:["SMS_SITE=` + site + `"]\\` + strings.ToUpper(host) + `\,SMS Software Update Point`)},
		{"ItemType", mofStr("System Resource Usage")},
		{"NALPath", mofStr(nal)},
		{"NALType", mofStr("Windows NT Server")},
		{"NetworkOSPath", mofStr(`\\` + server)},
		{"Props", props},
		{"RoleName", mofStr("SMS Software Update Point")},
		{"SiteCode", mofStr(site)},
	}) + crlf
}
