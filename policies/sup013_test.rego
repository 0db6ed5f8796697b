package supctl.rules.sup013_test

import data.supctl.fixtures
import data.supctl.rules.sup013
import rego.v1

site_with(website, http, https) := fixtures.input_of({"P01": json.patch(fixtures.http_site("P01"), [
	{"op": "replace", "path": "/servers/cm01.p01.corp.example.com/wsus/website", "value": website},
	{"op": "replace", "path": "/servers/cm01.p01.corp.example.com/wsus/ports", "value": {"http": http, "https": https}},
])})

test_fires_custom_ports_on_default_site if {
	f := sup013.warn with input as site_with("default", 8530, 8531)
	count(f) == 1
	some x in f
	x.path == ["sites", "P01", "servers", "cm01.p01.corp.example.com", "wsus", "ports"]
}

test_fires_default_ports_on_custom_site if {
	count(sup013.warn) == 1 with input as site_with("custom", 80, 443)
}

test_quiet_when_matching if {
	count(sup013.warn) == 0 with input as site_with("default", 80, 443)
	count(sup013.warn) == 0 with input as site_with("custom", 8530, 8531)
}

# Near miss: a console has no website.
test_quiet_on_console if {
	site := json.patch(fixtures.ssl_site("CEN"), [{"op": "replace", "path": "/servers/cm01.cen.corp.example.com/wsus/ports", "value": {"http": 1, "https": 2}}])
	count(sup013.warn) == 0 with input as fixtures.input_of({"CEN": site})
}
