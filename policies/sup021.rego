# METADATA
# title: Broken site hierarchy
# description: >-
#   Only the top-level site synchronizes from Microsoft Update; a site without a
#   parent has nothing upstream to synchronize from. A parent must be a site of
#   the repo, and parents must not form a loop: otherwise no site of the loop
#   ever receives update metadata.
# related_resources:
#   - ref: urn:supctl:source:S8
#     description: "[S8] ConfigMgr docs, Install a software update point"
#   - ref: urn:supctl:source:S12
#     description: "[S12] ConfigMgr 2007, active and Internet-based software update points"
# custom:
#   id: SUP021
#   severity: error
package supctl.rules.sup021

import data.supctl.lib
import rego.v1

deny contains lib.finding("SUP021", "error", ["sites", code, "softwareUpdatePoint", "sync", "source"], msg) if {
	some code, site in input.sites
	not site.parent
	site.softwareUpdatePoint.sync.source == "upstream"
	msg := sprintf("site %s has no parent but synchronizes from upstream; a top-level site synchronizes from Microsoft Update", [code])
}

deny contains lib.finding("SUP021", "error", ["sites", code, "parent"], msg) if {
	some code, site in input.sites
	parent := site.parent
	not input.sites[parent]
	msg := sprintf("site %s: parent %s is not a site of the repo", [code, site.parent])
}

deny contains lib.finding("SUP021", "error", ["sites", code, "parent"], msg) if {
	g := lib.parent_graph
	some code, site in input.sites
	input.sites[site.parent]
	code in graph.reachable(g, {site.parent})
	msg := sprintf("site %s: its parents form a loop back to %s", [code, code])
}
