package supctl.rules.sup028_test

import data.supctl.fixtures
import data.supctl.rules.sup028
import rego.v1

test_fires_on_shared_sup if {
	other := json.patch(fixtures.http_site("P02"), [
		{"op": "add", "path": "/servers/cm01.p01.corp.example.com", "value": fixtures.http_site("P01").servers["cm01.p01.corp.example.com"]},
		{"op": "replace", "path": "/softwareUpdatePoint/active", "value": "cm01.p01.corp.example.com"},
	])
	f := sup028.deny with input as fixtures.input_of({"P01": fixtures.http_site("P01"), "P02": other})
	count(f) == 1
	some x in f
	x.path == ["sites", "P02", "softwareUpdatePoint", "active"]
}

test_fires_on_different_declarations if {
	other := json.patch(fixtures.http_site("P02"), [
		{"op": "add", "path": "/servers/cm01.p01.corp.example.com", "value": {"fqdn": "cm01.p01.corp.example.com"}},
	])
	f := sup028.deny with input as fixtures.input_of({"P01": fixtures.http_site("P01"), "P02": other})
	count(f) == 1
	some x in f
	x.path == ["sites", "P02", "servers", "cm01.p01.corp.example.com"]
}

# Near miss: the same server declared alike in two sites, SUP of one only.
test_quiet_on_equal_declarations if {
	other := json.patch(fixtures.http_site("P02"), [
		{"op": "add", "path": "/servers/cm01.p01.corp.example.com", "value": fixtures.http_site("P01").servers["cm01.p01.corp.example.com"]},
	])
	count(sup028.deny) == 0 with input as fixtures.input_of({"P01": fixtures.http_site("P01"), "P02": other})
}
