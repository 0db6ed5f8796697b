# METADATA
# title: Software update point and WSUS disagree on SSL
# description: >-
#   ConfigMgr's "use SSL" setting of the software update point and the WSUS
#   server's SSL configuration (five virtual roots requiring SSL, WSUSUtil
#   configuressl) must agree. When ConfigMgr uses SSL but WSUS does not, WCM
#   cannot reach WSUS over HTTPS (WSUS_CONFIG_FAILED); when WSUS requires SSL
#   but ConfigMgr tells clients HTTP, scans fail with 0x80244018.
# related_resources:
#   - ref: urn:supctl:source:S2
#     description: "[S2] ConfigMgr docs, Configure a software update point to use TLS/SSL"
#   - ref: urn:supctl:source:S3
#     description: "[S3] ConfigMgr 2007 docs, Configuring Software Updates"
#   - ref: urn:supctl:source:S5
#     description: "[S5] ConfigMgr support, Troubleshoot software update scan failures"
# custom:
#   id: SUP006
#   severity: error
package supctl.rules.sup006

import data.supctl.lib
import rego.v1

deny contains lib.finding("SUP006", "error", ["sites", code, "softwareUpdatePoint", "ssl"], msg) if {
	some code, site in input.sites
	sup := site.softwareUpdatePoint
	wsus := site.servers[sup.active].wsus
	wsus.installType == "server"
	sup.ssl != wsus.ssl
	msg := sprintf("site %s: the software update point's ssl is %v but WSUS on %s has ssl %v", [code, sup.ssl, sup.active, wsus.ssl])
}
