// Package planview renders a reconcile.Plan for people and machines. Each
// format is its own file behind Renderer; all of them read the same plan
// value (the one --format json prints), so they cannot drift apart.
package planview

import (
	"fmt"
	"io"
	"sort"

	"github.com/supctl/supctl/reconcile"
)

// Options tune rendering.
type Options struct {
	// Diff adds, per server with changes, a unified diff of the observed
	// and desired documents as sorted YAML (text format only).
	Diff bool
	// Color uses ANSI colors (text format only).
	Color bool
}

// Renderer writes a plan in one format.
type Renderer interface {
	Render(w io.Writer, p *reconcile.Plan, o Options) error
}

var formats = map[string]Renderer{
	"text": textFormat{},
	"json": jsonFormat{},
}

// Formats lists the format names, sorted.
func Formats() []string {
	out := make([]string, 0, len(formats))
	for n := range formats {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Lookup returns the renderer of a format name.
func Lookup(name string) (Renderer, error) {
	if r, ok := formats[name]; ok {
		return r, nil
	}
	return nil, fmt.Errorf("unknown format %q (want one of %v)", name, Formats())
}
