package supctl.rules.sup015_test

import data.supctl.fixtures
import data.supctl.rules.sup015
import rego.v1

test_fires_in_mixed_mode if {
	site := json.patch(fixtures.ssl_site("CEN"), [{"op": "replace", "path": "/mode", "value": "mixed"}])
	f := sup015.deny with input as fixtures.input_of({"CEN": site})
	count(f) == 1
	some x in f
	x.path == ["sites", "CEN", "mode"]
}

test_fires_when_active_serves_internet if {
	site := json.patch(fixtures.ssl_site("CEN"), [{"op": "replace", "path": "/softwareUpdatePoint/clientConnection", "value": "both"}])
	f := sup015.deny with input as fixtures.input_of({"CEN": site})
	count(f) == 1
	some x in f
	x.path == ["sites", "CEN", "softwareUpdatePoint", "clientConnection"]
}

# Near miss: Current Branch has no Internet-based SUP of the 2007 kind.
test_quiet_on_current_branch if {
	site := json.patch(fixtures.ssl_site("CEN"), [
		{"op": "replace", "path": "/mode", "value": "mixed"},
		{"op": "replace", "path": "/product", "value": "current-branch"},
	])
	count(sup015.deny) == 0 with input as fixtures.input_of({"CEN": site})
}

test_quiet_native_intranet if {
	count(sup015.deny) == 0 with input as fixtures.input_of({"CEN": fixtures.ssl_site("CEN")})
}
