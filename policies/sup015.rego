# METADATA
# title: Internet-based software update point without native mode or intranet-only active SUP
# description: >-
#   In Configuration Manager 2007 an Internet-based software update point can be
#   set only when the site is in native mode and the active software update
#   point accepts intranet-only client connections; otherwise the console
#   refuses the setting and Internet clients never get a scan source.
# related_resources:
#   - ref: urn:supctl:source:S10
#     description: "[S10] ConfigMgr 2007, software update point Internet-based tab"
#   - ref: urn:supctl:source:S12
#     description: "[S12] ConfigMgr 2007, active and Internet-based software update points"
# custom:
#   id: SUP015
#   severity: error
package supctl.rules.sup015

import data.supctl.lib
import rego.v1

deny contains lib.finding("SUP015", "error", ["sites", code, "mode"], msg) if {
	some code, site in input.sites
	lib.is_2007(site)
	site.softwareUpdatePoint.internet
	site.mode != "native"
	msg := sprintf("site %s has an Internet-based software update point but is in %s mode; it needs native mode", [code, site.mode])
}

deny contains lib.finding("SUP015", "error", ["sites", code, "softwareUpdatePoint", "clientConnection"], msg) if {
	some code, site in input.sites
	lib.is_2007(site)
	sup := site.softwareUpdatePoint
	sup.internet
	sup.clientConnection != "intranet"
	msg := sprintf("site %s has an Internet-based software update point, so the active one must allow intranet-only client connections, not %q", [code, sup.clientConnection])
}
