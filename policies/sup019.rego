# METADATA
# title: WSUS certificate expires within 30 days
# description: >-
#   A certificate bound to a WSUS HTTPS port that expires within 30 days will
#   soon make every scan and WCM connection fail with 0x800B0101; renew it and
#   update the thumbprint now.
# related_resources:
#   - ref: urn:supctl:source:S5
#     description: "[S5] ConfigMgr support, Troubleshoot software update scan failures"
# custom:
#   id: SUP019
#   severity: warning
package supctl.rules.sup019

import data.supctl.lib
import rego.v1

# limit is the last date within 30 days of today, as YYYY-MM-DD (dates
# compare as strings; only the certificates in the window are parsed).
limit := time.format([time.add_date(time.parse_ns("2006-01-02", input.today), 0, 0, 30), "UTC", "2006-01-02"])

warn contains lib.finding("SUP019", "warning", ["sites", code, "servers", fqdn, "wsus", "certificate", "notAfter"], msg) if {
	some code, site in input.sites
	some fqdn, srv in site.servers
	srv.wsus.installType == "server"
	not_after := srv.wsus.certificate.notAfter
	not_after >= input.today
	not_after <= limit
	days := lib.days_between(input.today, not_after)
	msg := sprintf("site %s: the certificate of %s expires on %s, in %d days", [code, fqdn, not_after, days])
}
