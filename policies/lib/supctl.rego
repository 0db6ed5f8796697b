# METADATA
# title: supctl rule helpers
# description: Shared helpers of the supctl rule catalog.
package supctl.lib

import rego.v1

# finding builds a finding object in the shape of SPEC §3.
finding(rule, severity, path, msg) := {"rule": rule, "severity": severity, "path": path, "msg": msg}

# site_path is the config path of a site field.
site_path(code, rest) := array.concat(["sites", code], rest)

# server_path is the config path of a server field.
server_path(code, fqdn, rest) := array.concat(["sites", code, "servers", fqdn], rest)

# sup is the software update point of a site, when it has one.
sup(site) := site.softwareUpdatePoint

# active_server is the server object of the site's active SUP, when it exists.
active_server(site) := site.servers[site.softwareUpdatePoint.active]

# version_parts turns "3.2.7600.283" into [3, 2, 7600, 283].
version_parts(v) := [to_number(p) | some p in split(v, ".")]

# version_less is true when build a is below build b (both a.b.c.d): arrays
# of numbers compare element by element.
version_less(a, b) if version_parts(a) < version_parts(b)
