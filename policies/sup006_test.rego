package supctl.rules.sup006_test

import data.supctl.fixtures
import data.supctl.rules.sup006
import rego.v1

test_fires_sup_ssl_wsus_plain if {
	site := json.patch(fixtures.http_site("P01"), [{"op": "replace", "path": "/softwareUpdatePoint/ssl", "value": true}])
	f := sup006.deny with input as fixtures.input_of({"P01": site})
	count(f) == 1
	some x in f
	x.path == ["sites", "P01", "softwareUpdatePoint", "ssl"]
}

test_fires_wsus_ssl_sup_plain if {
	site := json.patch(fixtures.ssl_site("CEN"), [{"op": "replace", "path": "/servers/sup01.cen.corp.example.com/wsus/ssl", "value": false}])
	count(sup006.deny) == 1 with input as fixtures.input_of({"CEN": site})
}

test_quiet_when_both_agree if {
	count(sup006.deny) == 0 with input as fixtures.input_of({"P01": fixtures.http_site("P01"), "CEN": fixtures.ssl_site("CEN")})
}
