# METADATA
# title: WSUS with SSL but no certificate
# description: >-
#   A WSUS server that uses SSL needs a server certificate bound to its HTTPS
#   port; without one there is no HTTPS listener, WSUSUtil configuressl fails,
#   clients get 0x80072EFD and WCM reports WSUS_CONFIG_FAILED.
# related_resources:
#   - ref: urn:supctl:source:S1
#     description: "[S1] Windows Server docs, Configure WSUS §2.5 (SSL)"
#   - ref: urn:supctl:source:S2
#     description: "[S2] ConfigMgr docs, Configure a software update point to use TLS/SSL"
#   - ref: urn:supctl:source:S5
#     description: "[S5] ConfigMgr support, Troubleshoot software update scan failures"
# custom:
#   id: SUP007
#   severity: error
package supctl.rules.sup007

import data.supctl.lib
import rego.v1

deny contains lib.finding("SUP007", "error", ["sites", code, "servers", fqdn, "wsus"], msg) if {
	some code, site in input.sites
	some fqdn, srv in site.servers
	srv.wsus.installType == "server"
	srv.wsus.ssl == true
	not srv.wsus.certificate
	msg := sprintf("site %s: WSUS on %s uses SSL but declares no certificate for its HTTPS port", [code, fqdn])
}
