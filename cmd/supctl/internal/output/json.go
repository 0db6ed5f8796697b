package output

import (
	"encoding/json"
	"io"

	"github.com/supctl/supctl/cmd/supctl/internal/vet"
)

// jsonFormat prints the results as a JSON array of
// {rule, severity, file, line, col, path, msg, waived} (SPEC §4); waived
// results appear only with ShowWaived.
type jsonFormat struct{}

func (jsonFormat) Render(w io.Writer, rep *vet.Report, opts Options) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(visible(rep, opts))
}
