# METADATA
# title: Child site's software update point does not use SSL while its parent's does
# description: >-
#   When the parent site's software update point uses SSL, its child sites'
#   software update points should use SSL as well, so that synchronization and
#   scans in the hierarchy are protected the same way.
# related_resources:
#   - ref: urn:supctl:source:S7
#     description: "[S7] ConfigMgr docs, Plan for software updates"
# custom:
#   id: SUP023
#   severity: warning
package supctl.rules.sup023

import data.supctl.lib
import rego.v1

warn contains lib.finding("SUP023", "warning", ["sites", code, "softwareUpdatePoint", "ssl"], msg) if {
	some code, site in input.sites
	input.sites[site.parent].softwareUpdatePoint.ssl == true
	site.softwareUpdatePoint.ssl == false
	msg := sprintf("site %s: its software update point does not use SSL while that of its parent %s does", [code, site.parent])
}
