# METADATA
# title: Internet-based software update point configured differently from the active one
# description: >-
#   An Internet-based software update point must be configured in the same
#   manner as the active software update point: same SSL setting, same ports and
#   same WSUS website. ConfigMgr uses one set of settings for both; a difference
#   leaves Internet clients on a port or protocol the server does not serve
#   (0x80072EFD, 0x80244018).
# related_resources:
#   - ref: urn:supctl:source:S3
#     description: "[S3] ConfigMgr 2007 docs, Configuring Software Updates"
#   - ref: urn:supctl:source:S12
#     description: "[S12] ConfigMgr 2007, active and Internet-based software update points"
# custom:
#   id: SUP014
#   severity: error
package supctl.rules.sup014

import data.supctl.lib
import rego.v1

deny contains lib.finding("SUP014", "error", ["sites", code, "servers", ifqdn, "wsus", field], msg) if {
	some code, site in input.sites
	sup := site.softwareUpdatePoint
	ifqdn := sup.internet
	active := site.servers[sup.active].wsus
	inet := site.servers[ifqdn].wsus
	some field in ["ssl", "ports", "website"]
	inet[field] != active[field]
	msg := sprintf("site %s: the Internet-based software update point %s has %s %v but the active one %s has %v", [code, ifqdn, field, inet[field], sup.active, active[field]])
}
