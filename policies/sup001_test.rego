package supctl.rules.sup001_test

import data.supctl.rules.sup001
import rego.v1

server := {"fqdn": "cm01.corp.example.com", "wsus": {"installType": "server", "version": "3.2.7600.283"}}

test_fires_without_sup if {
	f := sup001.deny with input as {"sites": {"P01": {"servers": {"cm01.corp.example.com": server}}}}
	count(f) == 1
	some x in f
	x.path == ["sites", "P01"]
	x.rule == "SUP001"
}

test_fires_when_active_is_not_a_server if {
	f := sup001.deny with input as {"sites": {"P01": {
		"servers": {"cm01.corp.example.com": server},
		"softwareUpdatePoint": {"active": "sup09.corp.example.com"},
	}}}
	count(f) == 1
	some x in f
	x.path == ["sites", "P01", "softwareUpdatePoint", "active"]
}

test_quiet_with_active_sup if {
	f := sup001.deny with input as {"sites": {"P01": {
		"servers": {"cm01.corp.example.com": server},
		"softwareUpdatePoint": {"active": "cm01.corp.example.com"},
	}}}
	count(f) == 0
}
