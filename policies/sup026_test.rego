package supctl.rules.sup026_test

import data.supctl.fixtures
import data.supctl.rules.sup026
import rego.v1

proxy(server) := fixtures.input_of({"P01": json.patch(fixtures.http_site("P01"), [
	{"op": "add", "path": "/softwareUpdatePoint/proxy", "value": {"server": server, "port": 8080, "forSync": true}},
])})

test_fires_on_empty_server if {
	f := sup026.deny with input as proxy("")
	count(f) == 1
	some x in f
	x.path == ["sites", "P01", "softwareUpdatePoint", "proxy", "server"]
}

test_fires_on_blank_server if {
	count(sup026.deny) == 1 with input as proxy("  ")
}

test_quiet_with_server if {
	count(sup026.deny) == 0 with input as proxy("proxy.corp.example.com")
}
