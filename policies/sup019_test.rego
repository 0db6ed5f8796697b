package supctl.rules.sup019_test

import data.supctl.fixtures
import data.supctl.rules.sup019
import rego.v1

expiring(date) := fixtures.input_of({"CEN": json.patch(fixtures.ssl_site("CEN"), [
	{"op": "replace", "path": "/servers/sup01.cen.corp.example.com/wsus/certificate/notAfter", "value": date},
])})

test_fires_within_30_days if {
	f := sup019.warn with input as expiring("2026-12-25")
	count(f) == 1
	some x in f
	x.path == ["sites", "CEN", "servers", "sup01.cen.corp.example.com", "wsus", "certificate", "notAfter"]
	x.msg == "site CEN: the certificate of sup01.cen.corp.example.com expires on 2026-12-25, in 30 days"
}

test_fires_today if {
	count(sup019.warn) == 1 with input as expiring("2026-11-25")
}

test_quiet_after_31_days if {
	count(sup019.warn) == 0 with input as expiring("2026-12-26")
}

# Near miss: an expired certificate is SUP018, not a warning.
test_quiet_when_expired if {
	count(sup019.warn) == 0 with input as expiring("2026-11-24")
}
