package supctl.rules.sup018_test

import data.supctl.fixtures
import data.supctl.rules.sup018
import rego.v1

cert := "/servers/sup01.cen.corp.example.com/wsus/certificate"

patched(ops) := fixtures.input_of({"CEN": json.patch(fixtures.ssl_site("CEN"), ops)})

test_fires_on_wrong_name if {
	f := sup018.deny with input as patched([{"op": "replace", "path": concat("", [cert, "/dnsNames"]), "value": ["sup01.example.com"]}])
	count(f) == 1
	some x in f
	x.path == ["sites", "CEN", "servers", "sup01.cen.corp.example.com", "wsus", "certificate", "dnsNames"]
}

test_fires_without_server_auth if {
	f := sup018.deny with input as patched([{"op": "replace", "path": concat("", [cert, "/eku"]), "value": ["1.3.6.1.5.5.7.3.2"]}])
	count(f) == 1
	some x in f
	x.path[6] == "eku"
}

test_fires_when_expired if {
	f := sup018.deny with input as patched([{"op": "replace", "path": concat("", [cert, "/notAfter"]), "value": "2026-11-24"}])
	count(f) == 1
	some x in f
	x.path[6] == "notAfter"
}

# Near miss: valid through today.
test_quiet_on_last_day if {
	count(sup018.deny) == 0 with input as patched([{"op": "replace", "path": concat("", [cert, "/notAfter"]), "value": "2026-11-25"}])
}
