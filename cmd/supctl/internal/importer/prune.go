package importer

import "github.com/supctl/supctl/schema"

// prune removes from a site's tree every field the schema fills in by
// itself to the same value: defaults, and the code and fqdn it derives from
// labels. A field goes when the value without it completes (schema
// defaults) to what the value with it completes to; a struct that must
// stay is pruned field by field, and lists are kept or removed whole.
//
// The schema's defaults never reach from one server to another or from a
// server to the site, so each server is pruned in a site of its own and
// the site without its servers: every check completes a small value. A
// part the schema rejects as it is (a WSUS build that is not a.b.c.d, say)
// is left whole, so that vetting the written file reports it where it is.
func prune(c *schema.Completer, code string, site *node) {
	if servers := site.child("servers"); servers != nil {
		for _, srv := range servers.kids {
			alone := &node{kind: object, kids: []*node{
				{kind: scalar, key: "siteServer", scalar: srv.key},
				{kind: object, key: "servers", kids: []*node{srv}},
			}}
			pruneIn(c, code, alone, srv)
		}
	}
	rest := &node{kind: object}
	for _, k := range site.kids {
		if k.key != "servers" {
			rest.kids = append(rest.kids, k)
		}
	}
	pruneIn(c, code, rest, rest)
	kids := rest.kids
	if servers := site.child("servers"); servers != nil {
		// servers goes back where it was: after siteServer (the schema's order).
		i := 0
		for i < len(kids) && kids[i].key != "siteServer" {
			i++
		}
		kids = append(kids[:min(i+1, len(kids)):min(i+1, len(kids))], append([]*node{servers}, kids[min(i+1, len(kids)):]...)...)
	}
	site.kids = kids
}

// pruneIn prunes the fields of n, part of the site value whole, unless
// the schema rejects whole.
func pruneIn(c *schema.Completer, code string, whole, n *node) {
	want, err := c.Site(code, whole.json())
	if err != nil {
		return
	}
	pruneKids(n, func() bool {
		got, err := c.Site(code, whole.json())
		return err == nil && sameJSON(got, want)
	})
}

func pruneKids(n *node, same func() bool) {
	for i := 0; i < len(n.kids); {
		k := n.kids[i]
		n.kids = append(n.kids[:i:i], n.kids[i+1:]...)
		if same() {
			continue
		}
		n.kids = append(n.kids[:i:i], append([]*node{k}, n.kids[i:]...)...)
		if k.kind == object {
			pruneKids(k, same)
		}
		i++
	}
}
