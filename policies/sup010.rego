# METADATA
# title: A WSUS virtual root asks for client certificates
# description: >-
#   Client certificates must be set to Ignore on every WSUS virtual root:
#   SslNegotiateCert or SslRequireCert make the Windows Update Agent's scans
#   fail with 0x80072F0C (a certificate is required).
# related_resources:
#   - ref: urn:supctl:source:S4
#     description: "[S4] IIS AccessSection sslFlags"
#   - ref: urn:supctl:source:S5
#     description: "[S5] ConfigMgr support, Troubleshoot software update scan failures"
# custom:
#   id: SUP010
#   severity: error
package supctl.rules.sup010

import data.supctl.lib
import rego.v1

deny contains lib.finding("SUP010", "error", ["sites", code, "servers", fqdn, "wsus", "virtualRoots", root, "sslFlags", i], msg) if {
	some code, site in input.sites
	some fqdn, srv in site.servers
	srv.wsus.installType == "server"
	some root, vr in srv.wsus.virtualRoots
	some i, flag in vr.sslFlags
	flag in {"SslNegotiateCert", "SslRequireCert"}
	msg := sprintf("site %s: virtual root %s on %s has %s; client certificates must be ignored (scans fail with 0x80072F0C)", [code, root, fqdn, flag])
}
