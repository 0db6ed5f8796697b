// Package policies holds the embedded Rego rule catalog (SPEC §3) and
// evaluates a loaded config into findings. Each rule is a package
// supctl.rules.supNNN whose `deny` (errors) and `warn` (warnings) sets hold
// finding objects {rule, severity, path, msg}.
package policies

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/supctl/supctl/schema"
)

//go:embed *.rego lib/*.rego
var files embed.FS

// Severities of findings.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// Finding is one rule violation at a config path.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity string   `json:"severity"`
	Path     []string `json:"path"`
	Msg      string   `json:"msg"`
}

// Engine evaluates the rule catalog; it is compiled once and safe for
// concurrent use. The rules are split into groups, one per processor, each
// compiled with the helpers and evaluated concurrently on the same input.
type Engine struct {
	groups []rego.PreparedEvalQuery
}

// Modules returns the production Rego modules (tests excluded) by file name.
func Modules() (map[string]string, error) {
	return readModules(func(name string) bool { return !strings.HasSuffix(name, "_test.rego") })
}

// TestModules returns every Rego module, tests included, by file name.
func TestModules() (map[string]string, error) {
	return readModules(func(string) bool { return true })
}

func readModules(keep func(string) bool) (map[string]string, error) {
	out := map[string]string{}
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") || !keep(p) {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		out["policies/"+p] = string(b)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read embedded policies: %w", err)
	}
	return out, nil
}

// New compiles the embedded catalog into groups of rules (one per
// processor, at most maxGroups), in parallel.
func New(ctx context.Context) (*Engine, error) {
	mods, err := Modules()
	if err != nil {
		return nil, err
	}
	var rules, shared []string
	for name := range mods {
		if strings.HasPrefix(name, "policies/sup") {
			rules = append(rules, name)
		} else {
			shared = append(shared, name)
		}
	}
	sort.Strings(rules)
	sort.Strings(shared)
	n := max(1, min(runtime.GOMAXPROCS(0), maxGroups, len(rules)))
	e := &Engine{groups: make([]rego.PreparedEvalQuery, n)}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for g := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			opts := []func(*rego.Rego){rego.Query("data.supctl.rules"), rego.StrictBuiltinErrors(true)}
			for _, name := range shared {
				opts = append(opts, rego.Module(name, mods[name]))
			}
			for i := g; i < len(rules); i += n {
				opts = append(opts, rego.Module(rules[i], mods[rules[i]]))
			}
			e.groups[g], errs[g] = rego.New(opts...).PrepareForEval(ctx)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("compile policies: %w", err)
	}
	return e, nil
}

// maxGroups bounds the rule groups: past two, evaluating the shared
// helpers (the cross-site indexes) once more per group costs more than the
// extra processor gives. Two groups against one (whole process, A/B paired
// medians, issue 15): 0.77 of the wall time at 1,000 sites in one file, 0.84
// at 1,000 files.
const maxGroups = 2

// Input builds the document the rules see: the config with defaults filled
// in, every WSUS server's virtualRoots replaced by the derived flags of all
// nine roots (SPEC §2), and today's date as input.today (YYYY-MM-DD).
func Input(cfg *schema.Config, today time.Time) (ast.Value, error) {
	sites := make(map[string]*schema.Site, len(cfg.Sites))
	for code, s := range cfg.Sites {
		sites[code] = withDerivedRoots(s)
	}
	in := struct {
		Sites   map[string]*schema.Site `json:"sites"`
		Today   string                  `json:"today"`
		Waivers []schema.Waiver         `json:"waivers,omitempty"`
	}{sites, today.Format(time.DateOnly), cfg.Waivers}
	v, err := ast.InterfaceToValue(in)
	if err != nil {
		return nil, fmt.Errorf("policy input: %w", err)
	}
	return v, nil
}

// withDerivedRoots returns a copy of site whose WSUS servers list the
// effective sslFlags of all nine virtual roots.
func withDerivedRoots(site *schema.Site) *schema.Site {
	s := *site
	s.Servers = make(map[string]*schema.Server, len(site.Servers))
	for fqdn, srv := range site.Servers {
		if srv.WSUS != nil {
			v, w := *srv, *srv.WSUS
			w.VirtualRoots = make(map[string]schema.VirtualRootTLS, len(schema.VirtualRoots))
			for name, flags := range schema.EffectiveVirtualRoots(srv.WSUS) {
				w.VirtualRoots[name] = schema.VirtualRootTLS{SSLFlags: flags}
			}
			v.WSUS = &w
			srv = &v
		}
		s.Servers[fqdn] = srv
	}
	return &s
}

// Check evaluates every rule against cfg and returns the findings sorted by
// rule, then path.
func (e *Engine) Check(ctx context.Context, cfg *schema.Config, today time.Time) ([]Finding, error) {
	in, err := Input(cfg, today)
	if err != nil {
		return nil, err
	}
	results := make([][]Finding, len(e.groups))
	errs := make([]error, len(e.groups))
	var wg sync.WaitGroup
	for g := range e.groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[g], errs[g] = evalGroup(ctx, e.groups[g], in)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var out []Finding
	for _, fs := range results {
		out = append(out, fs...)
	}
	SortFindings(out)
	return out, nil
}

// evalGroup evaluates one group of rules and collects its deny and warn sets.
func evalGroup(ctx context.Context, q rego.PreparedEvalQuery, in ast.Value) ([]Finding, error) {
	rs, err := q.Eval(ctx, rego.EvalParsedInput(in))
	if err != nil {
		return nil, fmt.Errorf("evaluate policies: %w", err)
	}
	var out []Finding
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return out, nil
	}
	pkgs, _ := rs[0].Expressions[0].Value.(map[string]any)
	for pkg, v := range pkgs {
		rules, _ := v.(map[string]any)
		for _, set := range []string{"deny", "warn"} {
			items, _ := rules[set].([]any)
			for _, it := range items {
				f, err := toFinding(it)
				if err != nil {
					return nil, fmt.Errorf("rule package %s: %w", pkg, err)
				}
				out = append(out, f)
			}
		}
	}
	return out, nil
}

func toFinding(v any) (Finding, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return Finding{}, fmt.Errorf("finding is %T, not an object", v)
	}
	var f Finding
	f.Rule, _ = m["rule"].(string)
	f.Severity, _ = m["severity"].(string)
	f.Msg, _ = m["msg"].(string)
	path, _ := m["path"].([]any)
	for _, p := range path {
		switch x := p.(type) {
		case string:
			f.Path = append(f.Path, x)
		case json.Number:
			f.Path = append(f.Path, x.String())
		default:
			f.Path = append(f.Path, fmt.Sprint(x))
		}
	}
	if f.Rule == "" || f.Msg == "" || (f.Severity != SeverityError && f.Severity != SeverityWarning) {
		return Finding{}, fmt.Errorf("malformed finding %v", m)
	}
	return f, nil
}

// SortFindings orders findings by rule, path and message.
func SortFindings(fs []Finding) {
	sort.Slice(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		if pa, pb := strings.Join(a.Path, "\x00"), strings.Join(b.Path, "\x00"); pa != pb {
			return pa < pb
		}
		return a.Msg < b.Msg
	})
}
