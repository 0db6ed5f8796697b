package supctl.rules.sup007_test

import data.supctl.fixtures
import data.supctl.rules.sup007
import rego.v1

test_fires_ssl_without_certificate if {
	site := json.patch(fixtures.ssl_site("CEN"), [{"op": "remove", "path": "/servers/sup01.cen.corp.example.com/wsus/certificate"}])
	f := sup007.deny with input as fixtures.input_of({"CEN": site})
	count(f) == 1
	some x in f
	x.path == ["sites", "CEN", "servers", "sup01.cen.corp.example.com", "wsus"]
}

# Near miss: no SSL, no certificate needed.
test_quiet_plain_without_certificate if {
	count(sup007.deny) == 0 with input as fixtures.input_of({"P01": fixtures.http_site("P01")})
}
