package supctl.rules.sup023_test

import data.supctl.fixtures
import data.supctl.rules.sup023
import rego.v1

hierarchy(child_ssl) := fixtures.input_of({"CEN": fixtures.ssl_site("CEN"), "P01": json.patch(fixtures.http_site("P01"), [
	{"op": "add", "path": "/parent", "value": "CEN"},
	{"op": "replace", "path": "/softwareUpdatePoint/ssl", "value": child_ssl},
])})

test_fires_plain_child_of_ssl_parent if {
	f := sup023.warn with input as hierarchy(false)
	count(f) == 1
	some x in f
	x.path == ["sites", "P01", "softwareUpdatePoint", "ssl"]
}

test_quiet_ssl_child if {
	count(sup023.warn) == 0 with input as hierarchy(true)
}

# Near miss: a plain parent asks nothing of its children.
test_quiet_plain_parent if {
	count(sup023.warn) == 0 with input as fixtures.input_of({"P01": fixtures.http_site("P01"), "C01": json.patch(fixtures.http_site("C01"), [{"op": "add", "path": "/parent", "value": "P01"}])})
}
