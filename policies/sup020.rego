# METADATA
# title: Child site does not synchronize from its parent's active software update point
# description: >-
#   In a hierarchy, a child site's software update point synchronizes from the
#   active software update point of its parent site (sync source "upstream"
#   with the parent's URL); only the top-level site synchronizes from Microsoft
#   Update. A child that synchronizes elsewhere gets metadata its parent does
#   not know, and deployments created at the parent fail at the child
#   (WSyncMgr.log, SyncFailed).
# related_resources:
#   - ref: urn:supctl:source:S8
#     description: "[S8] ConfigMgr docs, Install a software update point"
#   - ref: urn:supctl:source:S12
#     description: "[S12] ConfigMgr 2007, active and Internet-based software update points"
# custom:
#   id: SUP020
#   severity: error
package supctl.rules.sup020

import data.supctl.lib
import rego.v1

# parent_of is the parent site of a site with a software update point, when
# the parent is in the repo and has one too. (A function, not a rule: helper
# rules of a rule package would be evaluated and returned with its findings.)
parent_of(site) := parent if {
	site.softwareUpdatePoint
	parent := input.sites[site.parent]
	parent.softwareUpdatePoint
}

deny contains lib.finding("SUP020", "error", ["sites", code, "softwareUpdatePoint", "sync", "source"], msg) if {
	some code, site in input.sites
	parent := parent_of(site)
	site.softwareUpdatePoint.sync.source != "upstream"
	msg := sprintf("site %s is a child of %s but synchronizes from %q; it must synchronize from upstream %s", [code, site.parent, site.softwareUpdatePoint.sync.source, parent.softwareUpdatePoint.active])
}

deny contains lib.finding("SUP020", "error", ["sites", code, "softwareUpdatePoint", "sync"], msg) if {
	some code, site in input.sites
	parent := parent_of(site)
	sync := site.softwareUpdatePoint.sync
	sync.source == "upstream"
	not sync.upstream
	msg := sprintf("site %s synchronizes from upstream but names no upstream URL; it must be the URL of %s", [code, parent.softwareUpdatePoint.active])
}

deny contains lib.finding("SUP020", "error", ["sites", code, "softwareUpdatePoint", "sync", "upstream"], msg) if {
	some code, site in input.sites
	parent := parent_of(site)
	sync := site.softwareUpdatePoint.sync
	sync.source == "upstream"
	u := sync.upstream
	not upstream_is(u, parent.softwareUpdatePoint.active)
	msg := sprintf("site %s synchronizes from %s, not from the active software update point of its parent %s (%s)", [code, sync.upstream, site.parent, parent.softwareUpdatePoint.active])
}

# upstream_is is true when URL u names host. A rule of its own: OPA hoists
# a call out of a negated comparison, so "not f(u) == h" is undefined, not true, when f(u) is.
upstream_is(u, host) if lib.parse_url(u).host == host
