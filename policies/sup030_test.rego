package supctl.rules.sup030_test

import data.supctl.fixtures
import data.supctl.rules.sup030
import rego.v1

waiver(expires) := {"sites": {}, "today": fixtures.today, "waivers": [
	{"rule": "SUP013", "path": "sites.P01", "reason": "migration", "expires": "2030-01-01"},
	{"rule": "SUP005", "path": "sites.P01", "reason": "migration", "expires": expires},
]}

test_fires_when_expired if {
	f := sup030.warn with input as waiver("2026-11-24")
	count(f) == 1
	some x in f
	x.path == ["waivers", 1, "expires"]
	x.severity == "warning"
}

# Near miss: a waiver is valid through its expiry day.
test_quiet_on_expiry_day if {
	count(sup030.warn) == 0 with input as waiver("2026-11-25")
}
