package supctl.rules.sup010_test

import data.supctl.fixtures
import data.supctl.rules.sup010
import rego.v1

test_fires_on_negotiate_cert if {
	site := json.patch(fixtures.ssl_site("CEN"), [{"op": "replace", "path": "/servers/sup01.cen.corp.example.com/wsus/virtualRoots/SimpleAuthWebService/sslFlags", "value": ["Ssl", "SslNegotiateCert"]}])
	f := sup010.deny with input as fixtures.input_of({"CEN": site})
	count(f) == 1
	some x in f
	x.path == ["sites", "CEN", "servers", "sup01.cen.corp.example.com", "wsus", "virtualRoots", "SimpleAuthWebService", "sslFlags", 1]
}

test_fires_on_require_cert_of_plain_root if {
	site := json.patch(fixtures.http_site("P01"), [{"op": "replace", "path": "/servers/cm01.p01.corp.example.com/wsus/virtualRoots/Inventory/sslFlags", "value": ["SslRequireCert"]}])
	count(sup010.deny) == 1 with input as fixtures.input_of({"P01": site})
}

# Near miss: Ssl and Ssl128 ignore client certificates.
test_quiet_on_ssl128 if {
	site := json.patch(fixtures.ssl_site("CEN"), [{"op": "replace", "path": "/servers/sup01.cen.corp.example.com/wsus/virtualRoots/SimpleAuthWebService/sslFlags", "value": ["Ssl", "Ssl128"]}])
	count(sup010.deny) == 0 with input as fixtures.input_of({"CEN": site})
}
