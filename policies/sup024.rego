# METADATA
# title: Client agent scans without an active software update point
# description: >-
#   The Software Updates Client Agent's scan schedule needs an active software
#   update point: with the agent enabled and none in the site, every scheduled
#   scan fails (WUAHandler.log, 0x8024401C / "Unable to find an active SUP")
#   and clients report no compliance.
# related_resources:
#   - ref: urn:supctl:source:S16
#     description: "[S16] ConfigMgr 2007, Software Updates Client Agent, General tab"
#   - ref: urn:supctl:source:S3
#     description: "[S3] ConfigMgr 2007 docs, Configuring Software Updates"
# custom:
#   id: SUP024
#   severity: error
package supctl.rules.sup024

import data.supctl.lib
import rego.v1

has_active_sup(site) if site.servers[site.softwareUpdatePoint.active]

deny contains lib.finding("SUP024", "error", ["sites", code, "clientAgent", "enabled"], msg) if {
	some code, site in input.sites
	site.clientAgent.enabled == true
	site.clientAgent.scanSchedule
	not has_active_sup(site)
	msg := sprintf("site %s: the software updates client agent is enabled with a scan schedule but the site has no active software update point", [code])
}
