# METADATA
# title: Supersedence months inconsistent with the expiry setting
# description: >-
#   Superseded updates expire either immediately or after 1-99 months. A months
#   value with "immediately" is ignored, and "after-months" without one cannot be
#   applied (Set-CMSoftwareUpdatePointComponent rejects it).
# related_resources:
#   - ref: urn:supctl:source:S20
#     description: "[S20] ConfigMgr PowerShell reference (Set-CMSoftwareUpdatePointComponent)"
#   - ref: urn:supctl:source:S22
#     description: "[S22] ConfigMgrCBDsc resources"
# custom:
#   id: SUP027
#   severity: error
package supctl.rules.sup027

import data.supctl.lib
import rego.v1

deny contains lib.finding("SUP027", "error", ["sites", code, "softwareUpdatePoint", "supersedence", "months"], msg) if {
	some code, site in input.sites
	s := site.softwareUpdatePoint.supersedence
	s.expire == "immediately"
	s.months
	msg := sprintf("site %s: supersedence months is %d but superseded updates expire immediately", [code, s.months])
}

deny contains lib.finding("SUP027", "error", ["sites", code, "softwareUpdatePoint", "supersedence"], msg) if {
	some code, site in input.sites
	s := site.softwareUpdatePoint.supersedence
	s.expire == "after-months"
	not s.months
	msg := sprintf("site %s: superseded updates expire after months but months is not set", [code])
}
