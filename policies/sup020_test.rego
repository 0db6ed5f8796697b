package supctl.rules.sup020_test

import data.supctl.fixtures
import data.supctl.rules.sup020
import rego.v1

child(ops) := json.patch(fixtures.ssl_site("PR1"), array.concat(
	[
		{"op": "add", "path": "/parent", "value": "CEN"},
		{"op": "replace", "path": "/softwareUpdatePoint/sync/source", "value": "upstream"},
		{"op": "add", "path": "/softwareUpdatePoint/sync/upstream", "value": "https://sup01.cen.corp.example.com:8531"},
	],
	ops,
))

hierarchy(ops) := fixtures.input_of({"CEN": fixtures.ssl_site("CEN"), "PR1": child(ops)})

test_fires_child_from_microsoft_update if {
	f := sup020.deny with input as hierarchy([{"op": "replace", "path": "/softwareUpdatePoint/sync/source", "value": "microsoft-update"}])
	count(f) == 1
	some x in f
	x.path == ["sites", "PR1", "softwareUpdatePoint", "sync", "source"]
}

test_fires_child_from_another_server if {
	f := sup020.deny with input as hierarchy([{"op": "replace", "path": "/softwareUpdatePoint/sync/upstream", "value": "https://sup02.cen.corp.example.com:8531"}])
	count(f) == 1
	some x in f
	x.path == ["sites", "PR1", "softwareUpdatePoint", "sync", "upstream"]
}

test_fires_child_without_url if {
	f := sup020.deny with input as hierarchy([{"op": "remove", "path": "/softwareUpdatePoint/sync/upstream"}])
	count(f) == 1
	some x in f
	x.path == ["sites", "PR1", "softwareUpdatePoint", "sync"]
}

test_fires_on_garbage_url if {
	count(sup020.deny) == 1 with input as hierarchy([{"op": "replace", "path": "/softwareUpdatePoint/sync/upstream", "value": "sup01.cen.corp.example.com"}])
}

# Near miss: the scheme or port may be wrong (SUP022), the host is right.
test_quiet_with_parent_host if {
	count(sup020.deny) == 0 with input as hierarchy([])
	count(sup020.deny) == 0 with input as hierarchy([{"op": "replace", "path": "/softwareUpdatePoint/sync/upstream", "value": "HTTP://SUP01.cen.corp.example.com/"}])
}
