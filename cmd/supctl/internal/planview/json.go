package planview

import (
	"encoding/json"
	"io"

	"github.com/supctl/supctl/reconcile"
)

// jsonFormat prints the plan itself, indented: the same document plan --out saves.
type jsonFormat struct{}

func (jsonFormat) Render(w io.Writer, p *reconcile.Plan, _ Options) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}
