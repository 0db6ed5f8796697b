# METADATA
# title: Expired waiver
# description: >-
#   A waiver silences one rule at one path until its expiry date. Once expired
#   it silences nothing: fix the finding or renew the waiver with a new date and
#   reason.
# related_resources:
#   - ref: urn:supctl:spec:waivers
#     description: "supctl SPEC §3, Waivers"
# custom:
#   id: SUP030
#   severity: warning
package supctl.rules.sup030

import data.supctl.lib
import rego.v1

warn contains lib.finding("SUP030", "warning", ["waivers", i, "expires"], msg) if {
	some i, w in input.waivers
	w.expires < input.today
	msg := sprintf("waiver of %s at %s expired on %s and no longer applies", [w.rule, w.path, w.expires])
}
