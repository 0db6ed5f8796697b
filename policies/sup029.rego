# METADATA
# title: Site server is not a server of the site
# description: >-
#   siteServer must name one of the site's servers: it is where the ConfigMgr
#   settings (site mode, software update point component, client agent) are
#   applied and where the WSUS console must be.
# related_resources:
#   - ref: urn:supctl:source:S15
#     description: "[S15] ConfigMgr 2007, planning the software update point installation"
# custom:
#   id: SUP029
#   severity: error
package supctl.rules.sup029

import data.supctl.lib
import rego.v1

deny contains lib.finding("SUP029", "error", ["sites", code, "siteServer"], msg) if {
	some code, site in input.sites
	not site.servers[site.siteServer]
	msg := sprintf("site %s: the site server %s is not a server of the site", [code, site.siteServer])
}
