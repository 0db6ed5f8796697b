package supctl.rules.sup005_test

import data.supctl.rules.sup005
import rego.v1

site(mode, ssl) := {"sites": {"P01": {"mode": mode, "softwareUpdatePoint": {"active": "sup01.corp.example.com", "ssl": ssl}}}}

test_fires_native_without_ssl if {
	f := sup005.deny with input as site("native", false)
	count(f) == 1
	some x in f
	x.path == ["sites", "P01", "softwareUpdatePoint", "ssl"]
}

test_quiet_native_with_ssl if {
	count(sup005.deny) == 0 with input as site("native", true)
}

test_quiet_mixed_without_ssl if {
	count(sup005.deny) == 0 with input as site("mixed", false)
}
