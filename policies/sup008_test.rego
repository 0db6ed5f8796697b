package supctl.rules.sup008_test

import data.supctl.fixtures
import data.supctl.rules.sup008
import rego.v1

test_fires_ssl_root_overridden_plain if {
	site := json.patch(fixtures.ssl_site("CEN"), [{"op": "replace", "path": "/servers/sup01.cen.corp.example.com/wsus/virtualRoots/ClientWebService/sslFlags", "value": ["Ssl128"]}])
	f := sup008.deny with input as fixtures.input_of({"CEN": site})
	count(f) == 1
	some x in f
	x.path == ["sites", "CEN", "servers", "sup01.cen.corp.example.com", "wsus", "virtualRoots", "ClientWebService", "sslFlags"]
}

# Near miss: Ssl with Ssl128 still requires SSL.
test_quiet_ssl_with_ssl128 if {
	site := json.patch(fixtures.ssl_site("CEN"), [{"op": "replace", "path": "/servers/sup01.cen.corp.example.com/wsus/virtualRoots/ClientWebService/sslFlags", "value": ["Ssl", "Ssl128"]}])
	count(sup008.deny) == 0 with input as fixtures.input_of({"CEN": site})
}

# Near miss: plain WSUS with plain roots.
test_quiet_without_ssl if {
	count(sup008.deny) == 0 with input as fixtures.input_of({"P01": fixtures.http_site("P01")})
}
