# METADATA
# title: Software update point on a server without WSUS
# description: >-
#   The software update point role must be created on a server that has WSUS
#   3.0 or later installed as a server; the WSUS administration console alone
#   is not enough. This holds for the active and for the Internet-based software
#   update point. Without WSUS, SUP installation fails (SUPSetup.log) and WCM
#   reports WSUS_CONFIG_FAILED.
# related_resources:
#   - ref: urn:supctl:source:S3
#     description: "[S3] ConfigMgr 2007 docs, Configuring Software Updates"
#   - ref: urn:supctl:source:S6
#     description: "[S6] ConfigMgr support, Software update point installation and configuration"
# custom:
#   id: SUP002
#   severity: error
package supctl.rules.sup002

import data.supctl.lib
import rego.v1

roles := {"active": "active", "internet": "Internet-based"}

deny contains lib.finding("SUP002", "error", ["sites", code, "servers", fqdn], msg) if {
	some code, site in input.sites
	some role, name in roles
	fqdn := site.softwareUpdatePoint[role]
	srv := site.servers[fqdn]
	not srv.wsus
	msg := sprintf("site %s: the %s software update point %s has no WSUS installed", [code, name, fqdn])
}

deny contains lib.finding("SUP002", "error", ["sites", code, "servers", fqdn, "wsus", "installType"], msg) if {
	some code, site in input.sites
	some role, name in roles
	fqdn := site.softwareUpdatePoint[role]
	site.servers[fqdn].wsus.installType == "console"
	msg := sprintf("site %s: the %s software update point %s has only the WSUS console; it needs a WSUS server", [code, name, fqdn])
}

# The Internet-based software update point must be a server of the site (the
# active one is checked by SUP001).
deny contains lib.finding("SUP002", "error", ["sites", code, "softwareUpdatePoint", "internet"], msg) if {
	some code, site in input.sites
	fqdn := site.softwareUpdatePoint.internet
	not site.servers[fqdn]
	msg := sprintf("site %s: the Internet-based software update point %s is not a server of the site, so it has no WSUS", [code, fqdn])
}
