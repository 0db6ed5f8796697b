package supctl.rules.sup014_test

import data.supctl.fixtures
import data.supctl.rules.sup014
import rego.v1

isup := "/servers/isup01.cen.dmz.example.com/wsus"

test_fires_on_different_ports if {
	site := json.patch(fixtures.ssl_site("CEN"), [
		{"op": "replace", "path": concat("", [isup, "/ports"]), "value": {"http": 80, "https": 443}},
		{"op": "replace", "path": concat("", [isup, "/website"]), "value": "default"},
	])
	f := sup014.deny with input as fixtures.input_of({"CEN": site})
	count(f) == 2
	{x.path | some x in f} == {
		["sites", "CEN", "servers", "isup01.cen.dmz.example.com", "wsus", "ports"],
		["sites", "CEN", "servers", "isup01.cen.dmz.example.com", "wsus", "website"],
	}
}

test_fires_on_different_ssl if {
	site := json.patch(fixtures.ssl_site("CEN"), [{"op": "replace", "path": concat("", [isup, "/ssl"]), "value": false}])
	count(sup014.deny) == 1 with input as fixtures.input_of({"CEN": site})
}

# Near miss: a different certificate is expected (each server has its own).
test_quiet_when_alike if {
	count(sup014.deny) == 0 with input as fixtures.input_of({"CEN": fixtures.ssl_site("CEN")})
}
