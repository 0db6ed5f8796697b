package reconcile

import (
	"fmt"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/schema"
)

// manualSteps lists what supd cannot change on a server but the config
// needs (SPEC §2, §5.4): WSUS missing, the wrong install type or a build
// below the declared floor, a declared certificate absent from the machine
// store, the ConfigMgr site server role or the Internet FQDN not as declared.
func manualSteps(obs api.Server, d schema.DesiredServer, declared *schema.Server) []ManualStep {
	var out []ManualStep
	add := func(field, observed, desired, action string) {
		out = append(out, ManualStep{Server: obs.FQDN, Field: field, Observed: observed, Desired: desired, Action: action})
	}
	if w := d.WSUS; w != nil {
		switch {
		case obs.WSUS == nil:
			add("wsus", "not installed", fmt.Sprintf("%s %s or later", w.InstallType, w.Version),
				fmt.Sprintf("install WSUS (%s) build %s or later on %s", w.InstallType, w.Version, obs.FQDN))
		case w.InstallType == api.InstallServer && obs.WSUS.InstallType != api.InstallServer:
			add("wsus.installType", obs.WSUS.InstallType, w.InstallType, "install the WSUS server role on "+obs.FQDN)
		case schema.VersionLess(obs.WSUS.Version, w.Version):
			add("wsus.version", obs.WSUS.Version, w.Version+" or later",
				fmt.Sprintf("upgrade WSUS on %s to build %s or later", obs.FQDN, w.Version))
		}
		if c := w.Certificate; d.Website && c != nil && obs.Certificate(c.Thumbprint) == nil {
			add("certificates", "absent", c.Thumbprint,
				fmt.Sprintf("import certificate %s into the machine store of %s", c.Thumbprint, obs.FQDN))
		}
	}
	if cm := d.ConfigMgr; cm != nil {
		switch {
		case obs.ConfigMgr == nil:
			add("configmgr", "not a site server", "site server of "+cm.SiteCode,
				fmt.Sprintf("install the site server of %s on %s", cm.SiteCode, obs.FQDN))
		case obs.ConfigMgr.SiteCode != cm.SiteCode:
			add("configmgr.siteCode", obs.ConfigMgr.SiteCode, cm.SiteCode,
				fmt.Sprintf("%s is the site server of %s, not of %s: fix siteServer or the server", obs.FQDN, obs.ConfigMgr.SiteCode, cm.SiteCode))
		}
	}
	if declared != nil {
		got := ""
		if obs.InternetFQDN != nil {
			got = *obs.InternetFQDN
		}
		if got != declared.InternetFQDN {
			add("internetFqdn", orNone(got), orNone(declared.InternetFQDN),
				fmt.Sprintf("give %s the Internet FQDN %s (DNS and the server's configuration)", obs.FQDN, orNone(declared.InternetFQDN)))
		}
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
