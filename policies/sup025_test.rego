package supctl.rules.sup025_test

import data.supctl.fixtures
import data.supctl.rules.sup025
import rego.v1

schedule(product, which, value) := fixtures.input_of({"P01": json.patch(fixtures.http_site("P01"), [
	{"op": "replace", "path": "/product", "value": product},
	{"op": "replace", "path": "/servers/cm01.p01.corp.example.com/wsus/version", "value": "10.0.17763.1"},
	{"op": "replace", "path": concat("/", ["/clientAgent", which]), "value": value},
])})

test_fires_hourly_scan_on_current_branch if {
	f := sup025.warn with input as schedule("current-branch", "scanSchedule", {"hours": 4})
	count(f) == 1
	some x in f
	x.path == ["sites", "P01", "clientAgent", "scanSchedule", "hours"]
}

test_fires_hourly_reevaluation_on_current_branch if {
	count(sup025.warn) == 1 with input as schedule("current-branch", "reevaluationSchedule", {"hours": 23})
}

# Near misses: 2007 honours hours; days are fine everywhere.
test_quiet_on_2007 if {
	count(sup025.warn) == 0 with input as schedule("cm2007-sp2", "scanSchedule", {"hours": 4})
}

test_quiet_daily if {
	count(sup025.warn) == 0 with input as schedule("current-branch", "scanSchedule", {"days": 1})
}
