# METADATA
# title: Internet-based software update point on the site server or the active SUP's server
# description: >-
#   In Configuration Manager 2007 the Internet-based software update point must
#   be on a server other than the site server and the active software update
#   point; the console refuses the role there.
# related_resources:
#   - ref: urn:supctl:source:S10
#     description: "[S10] ConfigMgr 2007, software update point Internet-based tab"
#   - ref: urn:supctl:source:S12
#     description: "[S12] ConfigMgr 2007, active and Internet-based software update points"
# custom:
#   id: SUP016
#   severity: error
package supctl.rules.sup016

import data.supctl.lib
import rego.v1

deny contains lib.finding("SUP016", "error", ["sites", code, "softwareUpdatePoint", "internet"], msg) if {
	some code, site in input.sites
	lib.is_2007(site)
	sup := site.softwareUpdatePoint
	some name, other in {"site server": site.siteServer, "active software update point": sup.active}
	sup.internet == other
	msg := sprintf("site %s: the Internet-based software update point %s is also the %s; it needs a server of its own", [code, sup.internet, name])
}
