package supctl.rules.sup022_test

import data.supctl.fixtures
import data.supctl.rules.sup022
import rego.v1

hierarchy(url) := fixtures.input_of({"CEN": fixtures.ssl_site("CEN"), "PR1": json.patch(fixtures.ssl_site("PR1"), [
	{"op": "add", "path": "/parent", "value": "CEN"},
	{"op": "replace", "path": "/softwareUpdatePoint/sync/source", "value": "upstream"},
	{"op": "add", "path": "/softwareUpdatePoint/sync/upstream", "value": url},
])})

test_fires_on_http_to_ssl_sup if {
	f := sup022.deny with input as hierarchy("http://sup01.cen.corp.example.com:8530")
	count(f) == 1
	some x in f
	x.path == ["sites", "PR1", "softwareUpdatePoint", "sync", "upstream"]
}

test_fires_on_default_port if {
	count(sup022.deny) == 1 with input as hierarchy("https://sup01.cen.corp.example.com")
}

test_quiet_on_matching_url if {
	count(sup022.deny) == 0 with input as hierarchy("https://sup01.cen.corp.example.com:8531")
	count(sup022.deny) == 0 with input as hierarchy("https://sup01.cen.corp.example.com:8531/")
}

test_quiet_on_default_port_of_default_site if {
	doc := fixtures.input_of({"P01": fixtures.http_site("P01"), "C01": json.patch(fixtures.http_site("C01"), [
		{"op": "add", "path": "/parent", "value": "P01"},
		{"op": "replace", "path": "/softwareUpdatePoint/sync/source", "value": "upstream"},
		{"op": "add", "path": "/softwareUpdatePoint/sync/upstream", "value": "http://cm01.p01.corp.example.com"},
	])})
	count(sup022.deny) == 0 with input as doc
}

# Near miss: an unknown host is SUP020 business.
test_quiet_on_unknown_host if {
	count(sup022.deny) == 0 with input as hierarchy("http://elsewhere.corp.example.com:1")
}
