# METADATA
# title: WSUS certificate does not fit its server
# description: >-
#   The certificate bound to a WSUS server's HTTPS port must name the server's
#   FQDN, carry the Server Authentication EKU (1.3.6.1.5.5.7.3.1) and be valid.
#   Otherwise clients fail the TLS handshake: 0x800B010F for a name mismatch,
#   0x800B0101 for an expired certificate.
# related_resources:
#   - ref: urn:supctl:source:S5
#     description: "[S5] ConfigMgr support, Troubleshoot software update scan failures"
#   - ref: urn:supctl:source:S2
#     description: "[S2] ConfigMgr docs, Configure a software update point to use TLS/SSL"
# custom:
#   id: SUP018
#   severity: error
package supctl.rules.sup018

import data.supctl.lib
import rego.v1

server_auth := "1.3.6.1.5.5.7.3.1"

deny contains lib.finding("SUP018", "error", ["sites", code, "servers", fqdn, "wsus", "certificate", "dnsNames"], msg) if {
	some code, site in input.sites
	some fqdn, srv in site.servers
	srv.wsus.installType == "server"
	cert := srv.wsus.certificate
	not fqdn in cert.dnsNames
	msg := sprintf("site %s: the certificate of %s does not name %s (clients fail with 0x800B010F)", [code, fqdn, fqdn])
}

deny contains lib.finding("SUP018", "error", ["sites", code, "servers", fqdn, "wsus", "certificate", "eku"], msg) if {
	some code, site in input.sites
	some fqdn, srv in site.servers
	srv.wsus.installType == "server"
	cert := srv.wsus.certificate
	not server_auth in cert.eku
	msg := sprintf("site %s: the certificate of %s lacks the Server Authentication EKU %s", [code, fqdn, server_auth])
}

deny contains lib.finding("SUP018", "error", ["sites", code, "servers", fqdn, "wsus", "certificate", "notAfter"], msg) if {
	some code, site in input.sites
	some fqdn, srv in site.servers
	srv.wsus.installType == "server"
	cert := srv.wsus.certificate
	cert.notAfter < input.today
	msg := sprintf("site %s: the certificate of %s expired on %s (clients fail with 0x800B0101)", [code, fqdn, cert.notAfter])
}
