# METADATA
# title: ConfigMgr is told other ports than the WSUS website uses
# description: >-
#   The ports configured for the software update point must equal the bindings
#   of the WSUS website (80/443 on the Default Web Site, 8530/8531 on the WSUS
#   Administration site); otherwise WCM and synchronization cannot connect
#   (WCM.log, WSUS_CONFIG_FAILED) and clients scan against a port nobody serves
#   (0x80072EFD).
# related_resources:
#   - ref: urn:supctl:source:S5
#     description: "[S5] ConfigMgr support, Troubleshoot software update scan failures"
#   - ref: urn:supctl:source:S6
#     description: "[S6] ConfigMgr support, Software update point installation and configuration"
#   - ref: urn:supctl:source:S11
#     description: "[S11] ConfigMgr 2007, ports used"
# custom:
#   id: SUP011
#   severity: error
package supctl.rules.sup011

import data.supctl.lib
import rego.v1

deny contains lib.finding("SUP011", "error", ["sites", code, "softwareUpdatePoint", "ports", proto], msg) if {
	some code, site in input.sites
	sup := site.softwareUpdatePoint
	wsus := site.servers[sup.active].wsus
	some proto in ["http", "https"]
	sup.ports[proto] != wsus.ports[proto]
	msg := sprintf(
		"site %s: the software update point's %s port is %d but WSUS on %s uses %d",
		[code, proto, sup.ports[proto], sup.active, wsus.ports[proto]],
	)
}
