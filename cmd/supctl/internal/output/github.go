package output

import (
	"fmt"
	"io"
	"strings"

	"github.com/supctl/supctl/cmd/supctl/internal/vet"
	"github.com/supctl/supctl/policies"
)

// githubFormat prints GitHub Actions workflow commands, one per finding
// (SPEC §4):
//
//	::error file=sites/p01.cue,line=14,col=9,title=SUP005::site P01 is in native mode …
//
// Warnings are ::warning; waived findings appear only with ShowWaived, as
// ::notice so that they never fail a check. The summary line follows as
// plain log text.
type githubFormat struct{}

func (githubFormat) Render(w io.Writer, rep *vet.Report, opts Options) error {
	var b strings.Builder
	for _, r := range visible(rep, opts) {
		cmd := "error"
		msg := r.Msg
		title := r.Rule
		switch {
		case r.Waived:
			cmd = "notice"
			title += " (waived)"
			msg += " [waived: " + r.Reason + "]"
		case r.Severity == policies.SeverityWarning:
			cmd = "warning"
		}
		if len(r.Also) > 0 {
			also := make([]string, len(r.Also))
			for i, p := range r.Also {
				also[i] = p.String()
			}
			msg += " (also written at " + strings.Join(also, ", ") + ")"
		}
		var props []string
		if r.File != "" {
			props = append(props, "file="+escapeProperty(r.File))
			if r.Line >= 1 {
				props = append(props, fmt.Sprintf("line=%d", r.Line))
				if r.Col >= 1 {
					props = append(props, fmt.Sprintf("col=%d", r.Col))
				}
			}
		}
		props = append(props, "title="+escapeProperty(title))
		fmt.Fprintf(&b, "::%s %s::%s\n", cmd, strings.Join(props, ","), escapeData(msg))
	}
	errs, warns, _ := rep.Counts()
	if !opts.Quiet || errs+warns > 0 {
		b.WriteString(Summary(rep))
		b.WriteByte('\n')
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write github: %w", err)
	}
	return nil
}

// escapeData escapes a workflow command's message as the Actions runner
// expects: % first, then CR and LF.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command's property value: as data, plus
// the separators : and ,.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
