package supctl.rules.sup016_test

import data.supctl.fixtures
import data.supctl.rules.sup016
import rego.v1

test_fires_on_active_server if {
	site := json.patch(fixtures.ssl_site("CEN"), [{"op": "replace", "path": "/softwareUpdatePoint/internet", "value": "sup01.cen.corp.example.com"}])
	f := sup016.deny with input as fixtures.input_of({"CEN": site})
	count(f) == 1
	some x in f
	x.path == ["sites", "CEN", "softwareUpdatePoint", "internet"]
}

test_fires_on_site_server if {
	site := json.patch(fixtures.ssl_site("CEN"), [{"op": "replace", "path": "/softwareUpdatePoint/internet", "value": "cm01.cen.corp.example.com"}])
	count(sup016.deny) == 1 with input as fixtures.input_of({"CEN": site})
}

test_quiet_on_own_server if {
	count(sup016.deny) == 0 with input as fixtures.input_of({"CEN": fixtures.ssl_site("CEN")})
}
