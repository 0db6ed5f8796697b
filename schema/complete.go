package schema

import (
	"fmt"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
)

// Completer fills in what the schema fills in by itself for one site: its
// defaults, and the fields it derives from labels (a site's code, a
// server's fqdn). `supctl import` uses it to leave out what a person would
// not write. A Completer is not safe for concurrent use.
type Completer struct {
	ctx    *cue.Context
	config cue.Value
}

// NewCompleter compiles the embedded schema for completing sites.
func NewCompleter() *Completer {
	ctx := cuecontext.New()
	return &Completer{ctx: ctx, config: compileSchema(ctx, "#Config")}
}

// Site returns the JSON of the site that a repo writing data (the JSON of
// a partial site) as sites.<code> loads as, every default filled in. The
// error says why the schema rejects data or leaves it incomplete.
func (c *Completer) Site(code string, data []byte) ([]byte, error) {
	v := c.ctx.CompileBytes(data)
	if err := v.Err(); err != nil {
		return nil, fmt.Errorf("complete site %s: %w", code, err)
	}
	path := cue.MakePath(cue.Str("sites"), cue.Str(code))
	site := c.config.FillPath(path, v).LookupPath(path)
	b, err := site.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("complete site %s: %w", code, err)
	}
	return b, nil
}
