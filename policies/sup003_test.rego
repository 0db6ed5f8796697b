package supctl.rules.sup003_test

import data.supctl.fixtures
import data.supctl.rules.sup003
import rego.v1

with_version(product, v) := fixtures.input_of({"P01": json.patch(fixtures.http_site("P01"), [
	{"op": "replace", "path": "/product", "value": product},
	{"op": "replace", "path": "/servers/cm01.p01.corp.example.com/wsus/version", "value": v},
])})

test_fires_below_sp2 if {
	f := sup003.deny with input as with_version("cm2007-sp2", "3.2.7600.282")
	count(f) == 1
	some x in f
	x.path == ["sites", "P01", "servers", "cm01.p01.corp.example.com", "wsus", "version"]
}

test_fires_wsus3_on_current_branch if {
	count(sup003.deny) == 1 with input as with_version("current-branch", "3.2.7600.283")
}

test_fires_console_below_floor if {
	site := json.patch(fixtures.ssl_site("CEN"), [{"op": "replace", "path": "/servers/cm01.cen.corp.example.com/wsus/version", "value": "3.1.6001.65"}])
	count(sup003.deny) == 1 with input as fixtures.input_of({"CEN": site})
}

test_quiet_at_floor if {
	count(sup003.deny) == 0 with input as with_version("cm2007-sp2", "3.2.7600.283")
	count(sup003.deny) == 0 with input as with_version("cm2007-sp1", "3.1.6001.65")
	count(sup003.deny) == 0 with input as with_version("cm2007-rtm", "3.0.0.0")
	count(sup003.deny) == 0 with input as with_version("current-branch", "10.0.17763.1")
}
