package output

import (
	"fmt"
	"io"
	"strings"

	"github.com/supctl/supctl/cmd/supctl/internal/vet"
	"github.com/supctl/supctl/policies"
)

// textFormat prints one line per finding, then a summary line (SPEC §4):
//
//	sites/p01.cue:14:9: error SUP005: site P01 is in native mode but …
//	3 errors, 1 warning (2 waived) in 12 files
type textFormat struct{}

func (textFormat) Render(w io.Writer, rep *vet.Report, opts Options) error {
	var b strings.Builder
	for _, r := range visible(rep, opts) {
		sev := r.Severity
		if opts.Color {
			sev = colorize(sev)
		}
		fmt.Fprintf(&b, "%s:%d:%d: %s %s: %s", r.File, r.Line, r.Col, sev, r.Rule, r.Msg)
		if len(r.Also) > 0 {
			also := make([]string, len(r.Also))
			for i, p := range r.Also {
				also[i] = p.String()
			}
			fmt.Fprintf(&b, " (also written at %s)", strings.Join(also, ", "))
		}
		if r.Waived {
			fmt.Fprintf(&b, " [waived: %s]", r.Reason)
		}
		b.WriteByte('\n')
	}
	if opts.ShowWaived {
		for _, w := range rep.UnusedWaivers {
			fmt.Fprintf(&b, "waiver %s at %s matches no finding (reason: %s, expires %s)\n", w.Rule, w.Path, w.Reason, w.Expires)
		}
	}
	errs, warns, _ := rep.Counts()
	if !opts.Quiet || errs+warns > 0 {
		b.WriteString(Summary(rep))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Summary is the closing line: "3 errors, 1 warning (2 waived) in 12 files".
func Summary(rep *vet.Report) string {
	errs, warns, waived := rep.Counts()
	s := fmt.Sprintf("%s, %s", plural(errs, "error"), plural(warns, "warning"))
	if waived > 0 {
		s += fmt.Sprintf(" (%d waived)", waived)
	}
	return s + " in " + plural(rep.Files, "file")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func colorize(sev string) string {
	if sev == policies.SeverityError {
		return "\x1b[31m" + sev + "\x1b[0m"
	}
	return "\x1b[33m" + sev + "\x1b[0m"
}
