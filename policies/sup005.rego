# METADATA
# title: Native-mode site with a software update point that does not use SSL
# description: >-
#   In native mode clients talk to site systems over HTTPS only; the software
#   update point must be configured to use SSL, with the five WSUS virtual roots
#   requiring SSL and WSUSUtil configuressl run on the WSUS server.
# related_resources:
#   - ref: urn:supctl:source:S3
#     description: "[S3] ConfigMgr 2007, Configuring Software Updates (native mode)"
#   - ref: urn:supctl:source:S2
#     description: "[S2] ConfigMgr docs, Configure a software update point to use TLS/SSL"
# custom:
#   id: SUP005
#   severity: error
package supctl.rules.sup005

import data.supctl.lib
import rego.v1

deny contains lib.finding("SUP005", "error", path, msg) if {
	some code, site in input.sites
	site.mode == "native"
	site.softwareUpdatePoint.ssl == false
	path := ["sites", code, "softwareUpdatePoint", "ssl"]
	msg := sprintf("site %s is in native mode but its software update point does not use SSL", [code])
}
