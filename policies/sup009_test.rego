package supctl.rules.sup009_test

import data.supctl.fixtures
import data.supctl.rules.sup009
import rego.v1

test_fires_content_requires_ssl if {
	site := json.patch(fixtures.ssl_site("CEN"), [{"op": "replace", "path": "/servers/sup01.cen.corp.example.com/wsus/virtualRoots/Content/sslFlags", "value": ["Ssl"]}])
	f := sup009.deny with input as fixtures.input_of({"CEN": site})
	count(f) == 1
	some x in f
	x.path == ["sites", "CEN", "servers", "sup01.cen.corp.example.com", "wsus", "virtualRoots", "Content", "sslFlags"]
}

# Near miss: the five SSL roots require SSL, the four others do not.
test_quiet_on_ssl_site if {
	count(sup009.deny) == 0 with input as fixtures.input_of({"CEN": fixtures.ssl_site("CEN")})
}
