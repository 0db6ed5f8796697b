# METADATA
# title: A content or reporting virtual root requires SSL
# description: >-
#   Content, Inventory, ReportingWebService and SelfUpdate must not require SSL:
#   update content is downloaded over HTTP, so requiring SSL there makes
#   downloads (and WSUS self-update) fail with 0x80244018.
# related_resources:
#   - ref: urn:supctl:source:S1
#     description: "[S1] Windows Server docs, Configure WSUS §2.5 (SSL)"
#   - ref: urn:supctl:source:S5
#     description: "[S5] ConfigMgr support, Troubleshoot software update scan failures"
# custom:
#   id: SUP009
#   severity: error
package supctl.rules.sup009

import data.supctl.lib
import rego.v1

deny contains lib.finding("SUP009", "error", ["sites", code, "servers", fqdn, "wsus", "virtualRoots", root, "sslFlags"], msg) if {
	some code, site in input.sites
	some fqdn, srv in site.servers
	srv.wsus.installType == "server"
	some root in lib.plain_roots
	"Ssl" in srv.wsus.virtualRoots[root].sslFlags
	msg := sprintf("site %s: virtual root %s on %s requires SSL; content and reporting roots must stay on HTTP", [code, root, fqdn])
}
