# METADATA
# title: Current Branch client schedule under one day
# description: >-
#   Current Branch forces any software update scan or deployment re-evaluation
#   interval under one day to one day; a schedule in hours does not do what it
#   says.
# related_resources:
#   - ref: urn:supctl:source:S19
#     description: "[S19] ConfigMgr docs, client settings, Software updates"
# custom:
#   id: SUP025
#   severity: warning
package supctl.rules.sup025

import data.supctl.lib
import rego.v1

warn contains lib.finding("SUP025", "warning", ["sites", code, "clientAgent", schedule, "hours"], msg) if {
	some code, site in input.sites
	site.product == "current-branch"
	some schedule in ["scanSchedule", "reevaluationSchedule"]
	hours := site.clientAgent[schedule].hours
	msg := sprintf("site %s: %s every %d hours is forced to 1 day on Current Branch", [code, schedule, hours])
}
