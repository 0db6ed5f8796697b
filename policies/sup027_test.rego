package supctl.rules.sup027_test

import data.supctl.fixtures
import data.supctl.rules.sup027
import rego.v1

supersedence(value) := fixtures.input_of({"P01": json.patch(fixtures.http_site("P01"), [
	{"op": "replace", "path": "/softwareUpdatePoint/supersedence", "value": value},
])})

test_fires_months_with_immediately if {
	f := sup027.deny with input as supersedence({"expire": "immediately", "months": 3})
	count(f) == 1
	some x in f
	x.path == ["sites", "P01", "softwareUpdatePoint", "supersedence", "months"]
}

test_fires_after_months_without_months if {
	f := sup027.deny with input as supersedence({"expire": "after-months"})
	count(f) == 1
	some x in f
	x.path == ["sites", "P01", "softwareUpdatePoint", "supersedence"]
}

test_quiet_when_consistent if {
	count(sup027.deny) == 0 with input as supersedence({"expire": "after-months", "months": 3})
	count(sup027.deny) == 0 with input as supersedence({"expire": "immediately"})
}
