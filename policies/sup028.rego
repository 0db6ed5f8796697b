# METADATA
# title: One server claimed twice
# description: >-
#   A server can be the software update point (active or Internet-based) of
#   only one site: WSUS keeps one configuration, and a second site's WCM
#   overwrites the first's (WCM.log, WSUS_CONFIG_FAILED), so the sites fight
#   over it. And a server FQDN declared under several sites must be declared
#   with the same values everywhere, or the sites ask for contradicting states.
# related_resources:
#   - ref: urn:supctl:source:S12
#     description: "[S12] ConfigMgr 2007, active and Internet-based software update points"
#   - ref: urn:supctl:source:S7
#     description: "[S7] ConfigMgr docs, Plan for software updates"
# custom:
#   id: SUP028
#   severity: error
package supctl.rules.sup028

import data.supctl.lib
import rego.v1

# The first site (by code) keeps the server; every other one is reported.
deny contains lib.finding("SUP028", "error", ["sites", code, "softwareUpdatePoint", role], msg) if {
	idx := lib.shared_sups
	some fqdn, codes in idx
	count(codes) > 1
	first := min(codes)
	some code in codes
	code != first
	some role in ["active", "internet"]
	input.sites[code].softwareUpdatePoint[role] == fqdn
	msg := sprintf("site %s: server %s already hosts the software update point of site %s", [code, fqdn, first])
}

deny contains lib.finding("SUP028", "error", ["sites", code, "servers", fqdn], msg) if {
	idx := lib.shared_servers
	some fqdn, codes in idx
	count(codes) > 1
	first := min(codes)
	some code in codes
	code != first
	input.sites[code].servers[fqdn] != input.sites[first].servers[fqdn]
	msg := sprintf("site %s: server %s is declared differently in site %s", [code, fqdn, first])
}
