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

# is_2007 is true for the Configuration Manager 2007 products.
is_2007(site) if startswith(site.product, "cm2007")

# min_wsus is the lowest WSUS build each product supports [S3][S12][S26][S6].
min_wsus := {
	"cm2007-rtm": "3.0.0.0",
	"cm2007-sp1": "3.1.6001.65",
	"cm2007-sp2": "3.2.7600.283",
	"current-branch": "6.2.9200.0",
}

# ssl_roots are the five WSUS virtual roots that require SSL when WSUS uses SSL.
ssl_roots := {"ApiRemoting30", "ClientWebService", "DSSAuthWebService", "ServerSyncWebService", "SimpleAuthWebService"}

# plain_roots are the four roots that must never require SSL.
plain_roots := {"Content", "Inventory", "ReportingWebService", "SelfUpdate"}

# website_ports are the ports each WSUS website binds [S11][S7].
website_ports := {"default": {"http": 80, "https": 443}, "custom": {"http": 8530, "https": 8531}}

# sup_fqdns is the set of servers holding a software update point role of a
# site: the active one and the Internet-based one.
sup_fqdns(site) := {f |
	some role in ["active", "internet"]
	f := site.softwareUpdatePoint[role]
}

# parse_url splits "https://host:8531/" into {"scheme", "host", "port"}; the
# port defaults to 80 (http) or 443 (https). Undefined when it is no such URL.
parse_url(u) := {"scheme": m[1], "host": m[2], "port": port} if {
	some m in regex.find_all_string_submatch_n(`^(https?)://([a-z0-9.-]+)(?::([0-9]+))?/?$`, lower(u), 1)
	port := url_port(m[1], m[3])
}

url_port(scheme, "") := 80 if scheme == "http"

url_port(scheme, "") := 443 if scheme == "https"

url_port(_, p) := to_number(p) if p != ""

# sup_sites maps an FQDN to the codes of the sites whose active software
# update point it is. Reference it whole (idx := lib.sup_sites) so that it is
# evaluated once, not once per lookup.
sup_sites := group([[site.softwareUpdatePoint.active, code] | some code, site in input.sites])

# days_between is the number of whole days from date a to date b (YYYY-MM-DD).
days_between(a, b) := (time.parse_ns("2006-01-02", b) - time.parse_ns("2006-01-02", a)) / 86400000000000

# Indexes over all sites live here, not in the rule packages: the engine
# returns every rule of data.supctl.rules, so a helper rule there would be
# evaluated and converted with the findings. Reference an index whole
# (idx := lib.sup_hosts) so that it is built once, not once per lookup.

# group maps each key of pairs, an array of [key, value], to the set of its
# values, in O(n log n): sort, then cut where the key changes. Every index
# over the sites is built with it or with an object comprehension, never
# with a partial object rule (idx[k] contains v, idx[k] := v): OPA checks
# each key such a rule adds against every key before it, O(n²) in the
# sites (10 s of 11 at 5,000 sites).
group(pairs) := {s[start][0]: {p[1] | some p in array.slice(s, start, ends[n])} |
	s := sort(pairs)
	starts := [i | some i, _ in s; key_starts(s, i)]
	ends := array.concat(array.slice(starts, 1, count(starts)), [count(s)])
	some n, start in starts
}

key_starts(_, 0)

key_starts(s, i) if s[i][0] != s[i - 1][0]

# shared(pairs) is group(pairs) for the keys with more than one value.
shared(pairs) := {k: vs | some k, vs in group(pairs); count(vs) > 1}

# shared_sups maps each FQDN that holds the software update point (active or
# Internet-based) of more than one site to those sites.
shared_sups := shared([[f, code] | some code, site in input.sites; some f in sup_fqdns(site)])

# shared_servers maps each server FQDN declared by more than one site to
# those sites.
shared_servers := shared([[f, code] | some code, site in input.sites; some f, _ in site.servers])

# parent_graph maps each site code to the set of its parent's code (empty
# when it has no parent in the repo), for graph.reachable.
parent_graph := {code: {p | p := site.parent; input.sites[p]} | some code, site in input.sites}
