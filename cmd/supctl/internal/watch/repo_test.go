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
