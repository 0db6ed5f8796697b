# METADATA
# title: Test inputs shared by the rule tests
# description: A valid SSL site and a valid HTTP site, in the shape the rules see.
package supctl.fixtures

import rego.v1

today := "2026-11-25"

plain_roots := {r: {"sslFlags": []} | some r in [
	"ApiRemoting30", "ClientWebService", "DSSAuthWebService", "ServerSyncWebService",
	"SimpleAuthWebService", "Content", "Inventory", "ReportingWebService", "SelfUpdate",
]}

ssl_roots := object.union(plain_roots, {r: {"sslFlags": ["Ssl"]} | some r in [
	"ApiRemoting30", "ClientWebService", "DSSAuthWebService", "ServerSyncWebService", "SimpleAuthWebService",
]})

wsus_http := {
	"installType": "server", "version": "3.2.7600.283", "website": "default",
	"ports": {"http": 80, "https": 443}, "ssl": false, "virtualRoots": plain_roots,
}

cert(names) := {
	"thumbprint": "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678",
	"dnsNames": names, "eku": ["1.3.6.1.5.5.7.3.1"], "notAfter": "2028-06-30",
}

wsus_ssl(fqdn) := {
	"installType": "server", "version": "3.2.7600.283", "website": "custom",
	"ports": {"http": 8530, "https": 8531}, "ssl": true, "virtualRoots": ssl_roots,
	"certificate": cert([fqdn]),
}

client_agent := {
	"enabled": true, "scanSchedule": {"days": 7}, "reevaluationSchedule": {"days": 7},
	"enforceMandatory": false, "deadlineWindow": {"days": 7}, "hideFromUsers": false,
}

sup(active, ssl, ports) := {
	"active": active, "clientConnection": "intranet", "ssl": ssl, "ports": ports,
	"sync": {"source": "microsoft-update", "reportingEvents": "none"},
	"classifications": [], "products": [], "languages": [],
	"supersedence": {"expire": "immediately"},
}

# http_site: a mixed-mode 2007 SP2 site whose SUP is on the site server, over HTTP.
http_site(code) := {
	"code": code, "product": "cm2007-sp2", "mode": "mixed",
	"siteServer": sprintf("cm01.%s.corp.example.com", [lower(code)]),
	"servers": {sprintf("cm01.%s.corp.example.com", [lower(code)]): {
		"fqdn": sprintf("cm01.%s.corp.example.com", [lower(code)]),
		"wsus": wsus_http,
	}},
	"softwareUpdatePoint": sup(sprintf("cm01.%s.corp.example.com", [lower(code)]), false, {"http": 80, "https": 443}),
	"clientAgent": client_agent,
}

# ssl_site: a native-mode 2007 SP2 site with a remote SSL SUP on the custom
# website and an Internet-based SUP in the perimeter network.
ssl_site(code) := {
	"code": code, "product": "cm2007-sp2", "mode": "native",
	"siteServer": cm,
	"servers": {
		cm: {"fqdn": cm, "wsus": object.union(wsus_http, {"installType": "console"})},
		sup01: {"fqdn": sup01, "wsus": wsus_ssl(sup01)},
		isup: {"fqdn": isup, "internetFqdn": "updates.example.com", "wsus": object.union(
			wsus_ssl(isup),
			{"certificate": cert(["updates.example.com", isup])},
		)},
	},
	"softwareUpdatePoint": object.union(
		sup(sup01, true, {"http": 8530, "https": 8531}),
		{"internet": isup},
	),
	"clientAgent": client_agent,
} if {
	cm := sprintf("cm01.%s.corp.example.com", [lower(code)])
	sup01 := sprintf("sup01.%s.corp.example.com", [lower(code)])
	isup := sprintf("isup01.%s.dmz.example.com", [lower(code)])
}

# input_of wraps sites (an object by code) into a rule input.
input_of(sites) := {"sites": sites, "today": today}

# all_findings is every finding of every rule for the current input.
all_findings contains f if {
	some _, pkg in data.supctl.rules
	some set in ["deny", "warn"]
	some f in pkg[set]
}
