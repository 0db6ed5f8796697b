package supctl.rules.sup004_test

import data.supctl.fixtures
import data.supctl.rules.sup004
import rego.v1

test_fires_remote_sup_without_console if {
	site := json.patch(fixtures.ssl_site("CEN"), [{"op": "remove", "path": "/servers/cm01.cen.corp.example.com/wsus"}])
	f := sup004.deny with input as fixtures.input_of({"CEN": site})
	count(f) == 1
	some x in f
	x.path == ["sites", "CEN", "servers", "cm01.cen.corp.example.com"]
}

test_quiet_remote_sup_with_console if {
	count(sup004.deny) == 0 with input as fixtures.input_of({"CEN": fixtures.ssl_site("CEN")})
}

# Near miss: the SUP is on the site server itself.
test_quiet_local_sup if {
	count(sup004.deny) == 0 with input as fixtures.input_of({"P01": fixtures.http_site("P01")})
}
