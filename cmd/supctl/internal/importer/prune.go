package importer

import (
	"fmt"

	"github.com/supctl/supctl/schema"
)

// prune removes from a site's tree every field the schema fills in by
// itself to the same value: defaults, and the code and fqdn it derives from
// labels. A field goes when the site without it completes (schema
// defaults) to want, the completion of the whole tree; a struct that must
// stay is pruned field by field. Lists are kept or removed whole.
func prune(c *schema.Completer, code string, site *node, want []byte) error {
	same := func() bool {
		got, err := c.Site(code, site.json())
		return err == nil && sameJSON(got, want)
	}
	if !same() {
		return fmt.Errorf("site %s: the schema does not complete the imported site to itself", code)
	}
	pruneKids(site, same)
	return nil
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
