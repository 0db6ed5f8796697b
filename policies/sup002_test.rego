package supctl.rules.sup002_test

import data.supctl.fixtures
import data.supctl.rules.sup002
import rego.v1

only(site) := fixtures.input_of({"CEN": site})

test_fires_when_active_has_no_wsus if {
	site := json.patch(fixtures.ssl_site("CEN"), [{"op": "remove", "path": "/servers/sup01.cen.corp.example.com/wsus"}])
	f := sup002.deny with input as only(site)
	count(f) == 1
	some x in f
	x.path == ["sites", "CEN", "servers", "sup01.cen.corp.example.com"]
}

test_fires_when_internet_is_console if {
	site := json.patch(fixtures.ssl_site("CEN"), [{"op": "replace", "path": "/servers/isup01.cen.dmz.example.com/wsus/installType", "value": "console"}])
	f := sup002.deny with input as only(site)
	count(f) == 1
	some x in f
	x.path == ["sites", "CEN", "servers", "isup01.cen.dmz.example.com", "wsus", "installType"]
}

test_fires_when_internet_is_no_server if {
	site := json.patch(fixtures.ssl_site("CEN"), [{"op": "replace", "path": "/softwareUpdatePoint/internet", "value": "isup09.cen.dmz.example.com"}])
	f := sup002.deny with input as only(site)
	count(f) == 1
	some x in f
	x.path == ["sites", "CEN", "softwareUpdatePoint", "internet"]
}

# Near miss: the console-only site server is not a software update point.
test_quiet_console_on_site_server if {
	count(sup002.deny) == 0 with input as only(fixtures.ssl_site("CEN"))
}
