# METADATA
# title: WSUS build below the product's minimum
# description: >-
#   Each Configuration Manager release needs a minimum WSUS build on its software
#   update point servers and their console on the site server: 3.0 for 2007 RTM,
#   3.0 SP1 (3.1.6001.65) for 2007 SP1, 3.0 SP2 (3.2.7600.283) for 2007 SP2, and
#   WSUS 4.0 (6.2.9200.0) for Current Branch. An older WSUS makes SUP
#   installation and WCM configuration fail (WSUS_CONFIG_FAILED) and cannot
#   serve newer clients.
# related_resources:
#   - ref: urn:supctl:source:S3
#     description: "[S3] ConfigMgr 2007 docs, Configuring Software Updates"
#   - ref: urn:supctl:source:S12
#     description: "[S12] ConfigMgr 2007, active and Internet-based software update points"
#   - ref: urn:supctl:source:S26
#     description: "[S26] ConfigMgr support, Troubleshoot WSUS connection failures"
#   - ref: urn:supctl:source:S6
#     description: "[S6] ConfigMgr support, Software update point installation and configuration"
# custom:
#   id: SUP003
#   severity: error
package supctl.rules.sup003

import data.supctl.lib
import rego.v1

deny contains lib.finding("SUP003", "error", ["sites", code, "servers", fqdn, "wsus", "version"], msg) if {
	some code, site in input.sites
	floor := lib.min_wsus[site.product]
	some fqdn, srv in site.servers
	lib.version_less(srv.wsus.version, floor)
	msg := sprintf("site %s: WSUS %s on %s is below %s, the minimum for %s", [code, srv.wsus.version, fqdn, floor, site.product])
}
