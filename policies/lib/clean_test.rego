package supctl.fixtures_test

import data.supctl.fixtures
import rego.v1

# The shared test sites are valid: no rule fires on them, so each rule test
# that changes one field and sees its rule fire tests exactly that field.
test_base_sites_are_clean if {
	count(fixtures.all_findings) == 0 with input as fixtures.input_of({"P01": fixtures.http_site("P01"), "CEN": fixtures.ssl_site("CEN")})
}

test_base_hierarchy_is_clean if {
	child := json.patch(fixtures.ssl_site("PR1"), [
		{"op": "add", "path": "/parent", "value": "CEN"},
		{"op": "replace", "path": "/softwareUpdatePoint/sync/source", "value": "upstream"},
		{"op": "add", "path": "/softwareUpdatePoint/sync/upstream", "value": "https://sup01.cen.corp.example.com:8531"},
	])
	count(fixtures.all_findings) == 0 with input as fixtures.input_of({"CEN": fixtures.ssl_site("CEN"), "PR1": child})
}
