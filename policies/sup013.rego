# METADATA
# title: WSUS ports do not match its website
# description: >-
#   The WSUS "Default Web Site" listens on 80/443 and the "WSUS Administration"
#   custom website on 8530/8531. Other ports on either mean the declared website
#   and the ports disagree, and clients or WCM end up on a port nothing serves
#   (0x80072EFD, WSUS_CONFIG_FAILED).
# related_resources:
#   - ref: urn:supctl:source:S11
#     description: "[S11] ConfigMgr 2007, ports used"
#   - ref: urn:supctl:source:S7
#     description: "[S7] ConfigMgr docs, Plan for software updates"
# custom:
#   id: SUP013
#   severity: warning
package supctl.rules.sup013

import data.supctl.lib
import rego.v1

warn contains lib.finding("SUP013", "warning", ["sites", code, "servers", fqdn, "wsus", "ports"], msg) if {
	some code, site in input.sites
	some fqdn, srv in site.servers
	srv.wsus.installType == "server"
	want := lib.website_ports[srv.wsus.website]
	srv.wsus.ports != want
	msg := sprintf("site %s: WSUS on %s uses the %s website but ports %d/%d; that website uses %d/%d", [code, fqdn, srv.wsus.website, srv.wsus.ports.http, srv.wsus.ports.https, want.http, want.https])
}
