package planview

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/supctl/supctl/reconcile"
)

// textFormat prints the plan for people (SPEC §5.5): per site a header,
// the health reason of each ordering rule its steps follow, then the steps
// in order, grouped by server, each a symbol and a sentence (Describe);
// then the summary line. A site that waits for others (SitePlan.After) says
// so on its first line: ", after CEN".
type textFormat struct{}

// ANSI styles, used only when Options.Color.
const (
	styleBold   = "\033[1m"
	styleDim    = "\033[2m"
	styleGreen  = "\033[32m"
	styleRed    = "\033[31m"
	styleYellow = "\033[33m"
	styleCyan   = "\033[36m"
	styleReset  = "\033[0m"
)

func (textFormat) Render(w io.Writer, p *reconcile.Plan, o Options) error {
	var b strings.Builder
	paint := func(style, s string) string {
		if !o.Color {
			return s
		}
		return style + s + styleReset
	}
	for _, sp := range p.Sites {
		v := Describe(sp)
		switch {
		case len(v.Manual) > 0:
			fmt.Fprintf(&b, "%s: %d manual %s; apply refuses this site until done (%s now)\n", paint(styleBold, "Site "+v.Site), len(v.Manual), plural(len(v.Manual), "step"), v.Health)
			for _, m := range v.Manual {
				fmt.Fprintf(&b, "   %s %s  %s: %s → %s\n     %s\n", paint(styleRed, "!"), m.Server, m.Field, m.Observed, m.Desired, m.Action)
			}
		case v.Steps == 0:
			fmt.Fprintf(&b, "%s: no changes (%s)\n", paint(styleBold, "Site "+v.Site), v.Health)
		default:
			after := ""
			if len(v.After) > 0 {
				after = ", after " + strings.Join(v.After, ", ")
			}
			fmt.Fprintf(&b, "%s: %d %s on %d %s (%s now)%s\n", paint(styleBold, "Site "+v.Site), v.Steps, plural(v.Steps, "step"), v.Servers, plural(v.Servers, "server"), v.Health, after)
			for _, n := range v.Notes {
				fmt.Fprintf(&b, "   note: %s\n", n)
			}
			for _, r := range v.Reasons {
				fmt.Fprintf(&b, "   %s\n", paint(styleDim, "why: "+r))
			}
			for _, g := range v.Groups {
				fmt.Fprintf(&b, "   %s\n", paint(styleCyan, g.Server))
				for _, st := range g.Steps {
					fmt.Fprintf(&b, "   %4d. %s\n", st.N, paint(symbolStyle(st.Symbol), string(st.Symbol)+" "+st.Text))
				}
			}
		}
		if o.Diff {
			for _, s := range sp.Servers {
				if err := writeDiff(&b, s, o.Color); err != nil {
					return err
				}
			}
		}
	}
	s := p.Summary()
	switch {
	case s.Changes == 0 && s.Manual == 0:
		b.WriteString("No changes: the servers match the config.\n")
	default:
		fmt.Fprintf(&b, "Plan: %d %s on %d %s in %d %s; every step keeps clients scanning.\n",
			s.Changes, plural(s.Changes, "change"), s.Servers, plural(s.Servers, "server"), s.Sites, plural(s.Sites, "site"))
		if s.Manual > 0 {
			fmt.Fprintf(&b, "%d manual %s must be done first.\n", s.Manual, plural(s.Manual, "step"))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func symbolStyle(sym rune) string {
	switch sym {
	case SymbolAdd:
		return styleGreen
	case SymbolRemove:
		return styleRed
	}
	return styleYellow
}

// ApplySummary is the line that closes a verified apply:
// "Apply complete: 26 steps in 50ms; verified: CEN, PR1 match the config and are healthy."
func ApplySummary(steps int, took time.Duration, sites []string) string {
	verb, be := "matches", "is"
	if len(sites) != 1 {
		verb, be = "match", "are"
	}
	return fmt.Sprintf("Apply complete: %d %s in %s; verified: %s %s the config and %s healthy.",
		steps, plural(steps, "step"), took.Round(time.Millisecond), strings.Join(sites, ", "), verb, be)
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
