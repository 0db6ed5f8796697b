package supctl.rules.sup029_test

import data.supctl.fixtures
import data.supctl.rules.sup029
import rego.v1

test_fires_when_site_server_is_unknown if {
	site := json.patch(fixtures.http_site("P01"), [{"op": "replace", "path": "/siteServer", "value": "cm09.corp.example.com"}])
	f := sup029.deny with input as fixtures.input_of({"P01": site})
	count(f) == 1
	some x in f
	x.path == ["sites", "P01", "siteServer"]
}

test_quiet_when_declared if {
	count(sup029.deny) == 0 with input as fixtures.input_of({"P01": fixtures.http_site("P01")})
}
