# METADATA
# title: Internet-based software update point without an Internet FQDN in its certificate
# description: >-
#   An Internet-based software update point needs an Internet FQDN, and its
#   certificate must name both the Internet FQDN and the intranet FQDN:
#   Internet clients connect by the first, WSUSUtil configuressl and the site
#   by the second. A missing name fails the TLS handshake (0x800B010F).
# related_resources:
#   - ref: urn:supctl:source:S14
#     description: "[S14] ConfigMgr 2007 writing team, native-mode certificate requirements for the Internet-based SUP"
#   - ref: urn:supctl:source:S5
#     description: "[S5] ConfigMgr support, Troubleshoot software update scan failures"
# custom:
#   id: SUP017
#   severity: error
package supctl.rules.sup017

import data.supctl.lib
import rego.v1

deny contains lib.finding("SUP017", "error", ["sites", code, "servers", fqdn], msg) if {
	some code, site in input.sites
	fqdn := site.softwareUpdatePoint.internet
	srv := site.servers[fqdn]
	not srv.internetFqdn
	msg := sprintf("site %s: the Internet-based software update point %s has no internetFqdn", [code, fqdn])
}

deny contains lib.finding("SUP017", "error", ["sites", code, "servers", fqdn, "wsus", "certificate", "dnsNames"], msg) if {
	some code, site in input.sites
	fqdn := site.softwareUpdatePoint.internet
	srv := site.servers[fqdn]
	names := {n | some n in srv.wsus.certificate.dnsNames}
	some kind, want in {"Internet": object.get(srv, "internetFqdn", ""), "intranet": fqdn}
	want != ""
	not want in names
	msg := sprintf("site %s: the certificate of the Internet-based software update point %s does not name its %s FQDN %s", [code, fqdn, kind, want])
}
