package output

import (
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/supctl/supctl/cmd/supctl/internal/vet"
	"github.com/supctl/supctl/policies"
)

// RepoSuite is the JUnit pseudo-suite of findings not tied to one site
// (syntax errors, waivers).
const RepoSuite = "repo"

// junitFormat prints a JUnit XML report with one testsuite per site, plus the
// pseudo-suite "repo", and in each one testcase per rule (SYNTAX, SCHEMA and
// the catalog; SPEC §4). A testcase fails with the rule's unwaived findings
// for that site, each as file:line:col; a testcase whose findings are all
// waived is skipped, naming the waivers' reasons.
type junitFormat struct{}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

func (junitFormat) Render(w io.Writer, rep *vet.Report, _ Options) error {
	catalog := ruleCatalog(rep)
	// Suites: every site of the config, any site a result names (a config
	// with schema errors has no Sites), and the repo pseudo-suite.
	siteSet := map[string]bool{}
	for _, s := range rep.Sites {
		siteSet[s] = true
	}
	type key struct{ site, rule string }
	byCase := map[key][]vet.Result{}
	for _, r := range rep.Results {
		site := r.Site()
		if site == "" {
			site = RepoSuite
		} else {
			site = "sites." + site
			siteSet[r.Site()] = true
		}
		byCase[key{site, r.Rule}] = append(byCase[key{site, r.Rule}], r)
	}
	sites := make([]string, 0, len(siteSet))
	for s := range siteSet {
		sites = append(sites, s)
	}
	sort.Strings(sites)
	suiteNames := []string{RepoSuite}
	for _, s := range sites {
		suiteNames = append(suiteNames, "sites."+s)
	}

	doc := junitSuites{Name: "supctl vet"}
	for _, suite := range suiteNames {
		js := junitSuite{Name: suite}
		for _, ri := range catalog {
			tc := junitCase{Name: ri.ID, Classname: suite}
			if ri.Title != "" && ri.Title != ri.ID {
				tc.Name = ri.ID + ": " + ri.Title
			}
			var failed, waived []vet.Result
			for _, r := range byCase[key{suite, ri.ID}] {
				if r.Waived {
					waived = append(waived, r)
				} else {
					failed = append(failed, r)
				}
			}
			switch {
			case len(failed) > 0:
				tc.Failure = junitFailureOf(failed)
				js.Failures++
			case len(waived) > 0:
				reasons := make([]string, len(waived))
				for i, r := range waived {
					reasons[i] = fmt.Sprintf("%s (%s)", location(r), r.Reason)
				}
				tc.Skipped = &junitSkipped{Message: "waived: " + strings.Join(reasons, "; ")}
				js.Skipped++
			}
			js.Cases = append(js.Cases, tc)
		}
		js.Tests = len(js.Cases)
		doc.Tests += js.Tests
		doc.Failures += js.Failures
		doc.Skipped += js.Skipped
		doc.Suites = append(doc.Suites, js)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	return nil
}

// junitFailureOf lists a testcase's findings, one "file:line:col: severity
// RULE: msg" line each; the failure's type is the worst severity.
func junitFailureOf(rs []vet.Result) *junitFailure {
	f := &junitFailure{Type: "warning"}
	lines := make([]string, len(rs))
	for i, r := range rs {
		if r.Severity != policies.SeverityWarning {
			f.Type = "error"
		}
		lines[i] = fmt.Sprintf("%s: %s %s: %s", location(r), r.Severity, r.Rule, r.Msg)
	}
	if len(rs) == 1 {
		f.Message = rs[0].Msg
	} else {
		f.Message = fmt.Sprintf("%d findings", len(rs))
	}
	f.Text = strings.Join(lines, "\n")
	return f
}

// location renders file:line:col, or what part of it is known.
func location(r vet.Result) string {
	switch {
	case r.File == "":
		return "(no file)"
	case r.Line < 1:
		return r.File
	}
	return fmt.Sprintf("%s:%d:%d", r.File, r.Line, r.Col)
}
