package output

import (
	"encoding/json"
	"io"

	"github.com/supctl/supctl/cmd/supctl/internal/vet"
)

// jsonFormat prints the results as a JSON array of
// {rule, severity, file, line, col, path, msg, waived} (SPEC §4). Waived
// results are always there, marked "waived": true, so that machines see
// what a waiver hides (as in SARIF's suppressions).
type jsonFormat struct{}

func (jsonFormat) Render(w io.Writer, rep *vet.Report, _ Options) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	results := rep.Results
	if results == nil {
		results = []vet.Result{}
	}
	return enc.Encode(results)
}
