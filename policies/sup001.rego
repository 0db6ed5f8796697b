# METADATA
# title: Site has no active software update point
# description: >-
#   A site shows compliance data and deploys software updates only once it has an
#   active software update point. Without one, clients never scan and the
#   Software Updates Client Agent has nothing to talk to.
# related_resources:
#   - ref: urn:supctl:source:S3
#     description: "[S3] ConfigMgr 2007, Configuring Software Updates"
#   - ref: urn:supctl:source:S12
#     description: "[S12] ConfigMgr 2007, active and Internet-based software update points"
# custom:
#   id: SUP001
#   severity: error
package supctl.rules.sup001

import data.supctl.lib
import rego.v1

deny contains lib.finding("SUP001", "error", ["sites", code], msg) if {
	some code, site in input.sites
	not site.softwareUpdatePoint
	msg := sprintf("site %s has no software update point: it cannot show compliance data or deploy updates", [code])
}

deny contains lib.finding("SUP001", "error", ["sites", code, "softwareUpdatePoint", "active"], msg) if {
	some code, site in input.sites
	active := site.softwareUpdatePoint.active
	not site.servers[active]
	msg := sprintf("site %s: the active software update point %s is not a server of the site", [code, active])
}
