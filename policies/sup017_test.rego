package supctl.rules.sup017_test

import data.supctl.fixtures
import data.supctl.rules.sup017
import rego.v1

srv := "/servers/isup01.cen.dmz.example.com"

test_fires_without_internet_fqdn if {
	site := json.patch(fixtures.ssl_site("CEN"), [{"op": "remove", "path": concat("", [srv, "/internetFqdn"])}])
	f := sup017.deny with input as fixtures.input_of({"CEN": site})
	count(f) == 1
	some x in f
	x.path == ["sites", "CEN", "servers", "isup01.cen.dmz.example.com"]
}

test_fires_when_certificate_lacks_internet_name if {
	site := json.patch(fixtures.ssl_site("CEN"), [{"op": "replace", "path": concat("", [srv, "/wsus/certificate/dnsNames"]), "value": ["isup01.cen.dmz.example.com"]}])
	f := sup017.deny with input as fixtures.input_of({"CEN": site})
	count(f) == 1
	some x in f
	x.path == ["sites", "CEN", "servers", "isup01.cen.dmz.example.com", "wsus", "certificate", "dnsNames"]
}

# Near miss: the active SUP needs no Internet name.
test_quiet_with_both_names if {
	count(sup017.deny) == 0 with input as fixtures.input_of({"CEN": fixtures.ssl_site("CEN")})
}
