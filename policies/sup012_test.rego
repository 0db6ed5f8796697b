package supctl.rules.sup012_test

import data.supctl.fixtures
import data.supctl.rules.sup012
import rego.v1

with_ports(http, https) := fixtures.input_of({"P01": json.patch(fixtures.http_site("P01"), [
	{"op": "replace", "path": "/servers/cm01.p01.corp.example.com/wsus/ports", "value": {"http": http, "https": https}},
])})

test_fires_unpaired if {
	f := sup012.warn with input as with_ports(8530, 8532)
	count(f) == 1
	some x in f
	x.path == ["sites", "P01", "servers", "cm01.p01.corp.example.com", "wsus", "ports", "http"]
	x.severity == "warning"
}

test_fires_443_without_80 if {
	count(sup012.warn) == 1 with input as with_ports(442, 443)
}

test_fires_80_without_443 if {
	count(sup012.warn) == 1 with input as with_ports(80, 81)
}

test_quiet_when_paired if {
	count(sup012.warn) == 0 with input as with_ports(80, 443)
	count(sup012.warn) == 0 with input as with_ports(8530, 8531)
	count(sup012.warn) == 0 with input as with_ports(9000, 9001)
}
