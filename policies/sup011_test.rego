package supctl.rules.sup011_test

import data.supctl.rules.sup011
import rego.v1

site(sup_ports, wsus_ports) := {"sites": {"P01": {
	"servers": {"sup01.corp.example.com": {"wsus": {"ports": wsus_ports}}},
	"softwareUpdatePoint": {"active": "sup01.corp.example.com", "ports": sup_ports},
}}}

test_fires_on_https_mismatch if {
	f := sup011.deny with input as site({"http": 8530, "https": 443}, {"http": 8530, "https": 8531})
	count(f) == 1
	some x in f
	x.path == ["sites", "P01", "softwareUpdatePoint", "ports", "https"]
}

test_fires_on_both if {
	count(sup011.deny) == 2 with input as site({"http": 80, "https": 443}, {"http": 8530, "https": 8531})
}

test_quiet_when_equal if {
	count(sup011.deny) == 0 with input as site({"http": 8530, "https": 8531}, {"http": 8530, "https": 8531})
}

test_quiet_when_active_has_no_wsus if {
	count(sup011.deny) == 0 with input as {"sites": {"P01": {
		"servers": {"sup01.corp.example.com": {}},
		"softwareUpdatePoint": {"active": "sup01.corp.example.com", "ports": {"http": 80, "https": 443}},
	}}}
}
