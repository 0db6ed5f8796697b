# METADATA
# title: Upstream URL does not match the upstream software update point
# description: >-
#   The upstream URL's scheme and port must be those the upstream software
#   update point serves: https and its HTTPS port when it uses SSL, http and its
#   HTTP port otherwise. Any other URL makes synchronization fail to connect
#   (WSyncMgr.log, 0x80072EFD) or be refused (0x80244018).
# related_resources:
#   - ref: urn:supctl:source:S8
#     description: "[S8] ConfigMgr docs, Install a software update point"
#   - ref: urn:supctl:source:S1
#     description: "[S1] Windows Server docs, Configure WSUS §2.5 (SSL)"
#   - ref: urn:supctl:source:S6
#     description: "[S6] ConfigMgr support, Software update point installation and configuration"
# custom:
#   id: SUP022
#   severity: error
package supctl.rules.sup022

import data.supctl.lib
import rego.v1

expected(sup) := {"scheme": "https", "port": sup.ports.https} if sup.ssl == true

expected(sup) := {"scheme": "http", "port": sup.ports.http} if sup.ssl == false

deny contains lib.finding("SUP022", "error", ["sites", code, "softwareUpdatePoint", "sync", "upstream"], msg) if {
	idx := lib.sup_sites
	some code, site in input.sites
	sync := site.softwareUpdatePoint.sync
	sync.source == "upstream"
	u := lib.parse_url(sync.upstream)
	some up in idx[u.host]
	up != code
	want := expected(input.sites[up].softwareUpdatePoint)
	{"scheme": u.scheme, "port": u.port} != want
	msg := sprintf("site %s synchronizes from %s, but the software update point of %s serves %s on port %d", [code, sync.upstream, up, want.scheme, want.port])
}
