# METADATA
# title: WSUS ports do not follow the HTTP/HTTPS pairing rule
# description: >-
#   WSUS pairs its ports: HTTPS 443 goes with HTTP 80, and any other HTTPS port
#   with HTTP = HTTPS - 1 (8531 with 8530). WSUSUtil and the WSUS API derive
#   one port from the other, so an unpaired setup breaks configuressl and
#   client connections (0x80072EFD).
# related_resources:
#   - ref: urn:supctl:source:S1
#     description: "[S1] Windows Server docs, Configure WSUS §2.5 (SSL)"
# custom:
#   id: SUP012
#   severity: warning
package supctl.rules.sup012

import data.supctl.lib
import rego.v1

paired(80, 443)

paired(http, https) if {
	https != 443
	http != 80
	http == https - 1
}

warn contains lib.finding("SUP012", "warning", ["sites", code, "servers", fqdn, "wsus", "ports", "http"], msg) if {
	some code, site in input.sites
	some fqdn, srv in site.servers
	srv.wsus.installType == "server"
	p := srv.wsus.ports
	not paired(p.http, p.https)
	msg := sprintf("site %s: WSUS on %s uses HTTP %d with HTTPS %d; HTTPS 443 pairs with HTTP 80, any other with HTTP = HTTPS - 1", [code, fqdn, p.http, p.https])
}
