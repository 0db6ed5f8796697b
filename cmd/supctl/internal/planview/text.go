package planview

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/supctl/supctl/reconcile"
)

// textFormat prints numbered steps per site, each naming the server, the
// field, old → new, then the summary line (SPEC §5.5). A site that waits
// for others (SitePlan.After) says so on its first line: ", after CEN".
type textFormat struct{}

func (textFormat) Render(w io.Writer, p *reconcile.Plan, o Options) error {
	var b strings.Builder
	for _, sp := range p.Sites {
		servers := map[string]bool{}
		for _, st := range sp.Steps {
			servers[st.Server] = true
		}
		switch {
		case len(sp.Manual) > 0:
			fmt.Fprintf(&b, "Site %s: %d manual %s; apply refuses this site until done (%s now)\n", sp.Site, len(sp.Manual), plural(len(sp.Manual), "step"), sp.Health)
			for _, m := range sp.Manual {
				fmt.Fprintf(&b, "   - %s  %s: %s → %s\n     %s\n", m.Server, m.Field, m.Observed, m.Desired, m.Action)
			}
		case len(sp.Steps) == 0:
			fmt.Fprintf(&b, "Site %s: no changes (%s)\n", sp.Site, sp.Health)
		default:
			after := ""
			if len(sp.After) > 0 {
				after = ", after " + strings.Join(sp.After, ", ")
			}
			fmt.Fprintf(&b, "Site %s: %d %s on %d %s (%s now)%s\n", sp.Site, len(sp.Steps), plural(len(sp.Steps), "step"), len(servers), plural(len(servers), "server"), sp.Health, after)
			for _, n := range sp.Notes {
				fmt.Fprintf(&b, "   note: %s\n", n)
			}
			for i, st := range sp.Steps {
				prefix := fmt.Sprintf("%4d. %s  ", i+1, st.Server)
				indent := strings.Repeat(" ", len(prefix))
				for j, c := range st.Changes {
					if j == 0 {
						b.WriteString(prefix)
					} else {
						b.WriteString(indent)
					}
					fmt.Fprintf(&b, "%s: %s → %s", c.Field, c.Old, c.New)
					if j == 0 {
						fmt.Fprintf(&b, "  (%s)", st.Op.Op)
					}
					b.WriteByte('\n')
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
