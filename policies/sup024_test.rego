package supctl.rules.sup024_test

import data.supctl.fixtures
import data.supctl.rules.sup024
import rego.v1

test_fires_without_sup if {
	site := json.patch(fixtures.http_site("P01"), [{"op": "remove", "path": "/softwareUpdatePoint"}])
	f := sup024.deny with input as fixtures.input_of({"P01": site})
	count(f) == 1
	some x in f
	x.path == ["sites", "P01", "clientAgent", "enabled"]
}

test_fires_when_active_is_no_server if {
	site := json.patch(fixtures.http_site("P01"), [{"op": "replace", "path": "/softwareUpdatePoint/active", "value": "sup09.corp.example.com"}])
	count(sup024.deny) == 1 with input as fixtures.input_of({"P01": site})
}

# Near miss: a disabled agent needs no SUP.
test_quiet_when_disabled if {
	site := json.patch(fixtures.http_site("P01"), [
		{"op": "remove", "path": "/softwareUpdatePoint"},
		{"op": "replace", "path": "/clientAgent/enabled", "value": false},
	])
	count(sup024.deny) == 0 with input as fixtures.input_of({"P01": site})
}

test_quiet_with_sup if {
	count(sup024.deny) == 0 with input as fixtures.input_of({"P01": fixtures.http_site("P01")})
}
