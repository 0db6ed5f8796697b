# METADATA
# title: Proxy without a server name
# description: >-
#   A software update point that uses a proxy needs the proxy server's name (and
#   a port 1-65535); with an empty name synchronization fails and WSUSCtrl.log
#   says "The address of the proxy server cannot be empty".
# related_resources:
#   - ref: urn:supctl:source:S20
#     description: "[S20] ConfigMgr PowerShell reference (Set-CMSoftwareUpdatePoint)"
# custom:
#   id: SUP026
#   severity: error
package supctl.rules.sup026

import data.supctl.lib
import rego.v1

deny contains lib.finding("SUP026", "error", ["sites", code, "softwareUpdatePoint", "proxy", "server"], msg) if {
	some code, site in input.sites
	trim_space(site.softwareUpdatePoint.proxy.server) == ""
	msg := sprintf("site %s: the software update point's proxy has an empty server name", [code])
}
