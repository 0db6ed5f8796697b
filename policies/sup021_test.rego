package supctl.rules.sup021_test

import data.supctl.fixtures
import data.supctl.rules.sup021
import rego.v1

with_parent(code, parent) := json.patch(fixtures.http_site(code), [{"op": "add", "path": "/parent", "value": parent}])

test_fires_top_level_from_upstream if {
	site := json.patch(fixtures.http_site("P01"), [{"op": "replace", "path": "/softwareUpdatePoint/sync/source", "value": "upstream"}])
	f := sup021.deny with input as fixtures.input_of({"P01": site})
	count(f) == 1
	some x in f
	x.path == ["sites", "P01", "softwareUpdatePoint", "sync", "source"]
}

test_fires_unknown_parent if {
	f := sup021.deny with input as fixtures.input_of({"P01": with_parent("P01", "XYZ")})
	count(f) == 1
	some x in f
	x.path == ["sites", "P01", "parent"]
}

test_fires_on_loop if {
	f := sup021.deny with input as fixtures.input_of({
		"AAA": with_parent("AAA", "BBB"), "BBB": with_parent("BBB", "CCC"),
		"CCC": with_parent("CCC", "AAA"), "DDD": with_parent("DDD", "AAA"),
	})
	{x.path | some x in f} == {["sites", c, "parent"] | some c in ["AAA", "BBB", "CCC"]}
}

test_fires_on_self_parent if {
	count(sup021.deny) == 1 with input as fixtures.input_of({"AAA": with_parent("AAA", "AAA")})
}

# Near miss: a chain is not a loop.
test_quiet_on_chain if {
	count(sup021.deny) == 0 with input as fixtures.input_of({
		"AAA": fixtures.http_site("AAA"), "BBB": with_parent("BBB", "AAA"), "CCC": with_parent("CCC", "BBB"),
	})
}
