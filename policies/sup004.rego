# METADATA
# title: Remote software update point without the WSUS console on the site server
# description: >-
#   When the software update point is on another server than the site server,
#   the site server needs the WSUS administration console (WSUS installType
#   "console", or a full WSUS server) to talk to the remote WSUS; without it
#   WCM cannot configure WSUS (WCM.log, WSUS_CONFIG_FAILED) and synchronization
#   never starts.
# related_resources:
#   - ref: urn:supctl:source:S15
#     description: "[S15] ConfigMgr 2007, planning the software update point installation"
#   - ref: urn:supctl:source:S7
#     description: "[S7] ConfigMgr docs, Plan for software updates"
# custom:
#   id: SUP004
#   severity: error
package supctl.rules.sup004

import data.supctl.lib
import rego.v1

deny contains lib.finding("SUP004", "error", ["sites", code, "servers", site.siteServer], msg) if {
	some code, site in input.sites
	active := site.softwareUpdatePoint.active
	active != site.siteServer
	srv := site.servers[site.siteServer]
	not srv.wsus
	msg := sprintf("site %s: the software update point %s is remote but the site server %s has no WSUS administration console", [code, active, site.siteServer])
}
