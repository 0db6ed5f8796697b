# METADATA
# title: WSUS with SSL but one of the five SSL virtual roots does not require SSL
# description: >-
#   With SSL, exactly these five WSUS virtual roots must require SSL:
#   ApiRemoting30, ClientWebService, DSSAuthWebService, ServerSyncWebService and
#   SimpleAuthWebService. A root left on plain HTTP while WSUS and ConfigMgr use
#   SSL breaks the secured channel (WCM, clients) or leaves it unprotected.
# related_resources:
#   - ref: urn:supctl:source:S1
#     description: "[S1] Windows Server docs, Configure WSUS §2.5 (SSL)"
#   - ref: urn:supctl:source:S2
#     description: "[S2] ConfigMgr docs, Configure a software update point to use TLS/SSL"
#   - ref: urn:supctl:source:S3
#     description: "[S3] ConfigMgr 2007 docs, Configuring Software Updates"
# custom:
#   id: SUP008
#   severity: error
package supctl.rules.sup008

import data.supctl.lib
import rego.v1

deny contains lib.finding("SUP008", "error", ["sites", code, "servers", fqdn, "wsus", "virtualRoots", root, "sslFlags"], msg) if {
	some code, site in input.sites
	some fqdn, srv in site.servers
	srv.wsus.installType == "server"
	srv.wsus.ssl == true
	some root in lib.ssl_roots
	not "Ssl" in srv.wsus.virtualRoots[root].sslFlags
	msg := sprintf("site %s: WSUS on %s uses SSL but virtual root %s does not require SSL", [code, fqdn, root])
}
