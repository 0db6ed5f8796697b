package watch

import (
	"fmt"
	"strings"
)

// siteYAML is a valid site whose site server is its own active SUP over
// HTTP on the WSUS custom website (8530/8531). fqdn is the server's name;
// scanDays the client agent's scan schedule.
func siteYAML(code, fqdn string, scanDays int) string {
	return fmt.Sprintf(`sites:
  %[1]s:
    product: cm2007-sp2
    mode: mixed
    siteServer: %[2]s
    servers:
      %[2]s:
        wsus:
          version: "3.2.7600.283"
          website: custom
          ports: {http: 8530, https: 8531}
    softwareUpdatePoint:
      active: %[2]s
      ports: {http: 8530, https: 8531}
      sync: {source: microsoft-update}
      classifications: [Security Updates]
      products: []
      languages: [English]
    clientAgent:
      scanSchedule: {days: %[3]d}
`, code, fqdn, scanDays)
}

// nativeWithoutSSL turns a siteYAML into one that breaks SUP005.
func nativeWithoutSSL(y string) string {
	return strings.Replace(y, "mode: mixed", "mode: native", 1)
}

// sslYAML is siteYAML with SSL on: the server's certificate (the one in
// the test servers' store) bound to 8531, the five roots requiring SSL, and
// ConfigMgr using SSL. Applied to a server over http it takes eight steps.
func sslYAML(code, fqdn string, scanDays int) string {
	y := siteYAML(code, fqdn, scanDays)
	y = strings.Replace(y, "          ports: {http: 8530, https: 8531}\n", fmt.Sprintf(`          ports: {http: 8530, https: 8531}
          ssl: true
          certificate:
            thumbprint: %q
            dnsNames: [%s]
            eku: ["1.3.6.1.5.5.7.3.1"]
            notAfter: "2099-12-31"
`, thumb, fqdn), 1)
	active := "      active: " + fqdn + "\n"
	return strings.Replace(y, active, active+"      ssl: true\n", 1)
}
