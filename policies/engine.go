// Package policies holds the embedded Rego rule catalog (SPEC §3) and
// evaluates a loaded config into findings. Each rule is a package
// supctl.rules.supNNN whose `deny` (errors) and `warn` (warnings) sets hold
// finding objects {rule, severity, path, msg}.
package policies

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/util"

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
// concurrent use.
type Engine struct {
	query rego.PreparedEvalQuery
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

// New compiles the embedded catalog.
func New(ctx context.Context) (*Engine, error) {
	mods, err := Modules()
	if err != nil {
		return nil, err
	}
	opts := []func(*rego.Rego){
		rego.Query("data.supctl.rules"),
		rego.StrictBuiltinErrors(true),
	}
	names := make([]string, 0, len(mods))
	for name := range mods {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		opts = append(opts, rego.Module(name, mods[name]))
	}
	q, err := rego.New(opts...).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("compile policies: %w", err)
	}
	return &Engine{query: q}, nil
}

// Input builds the document the rules see: the config with defaults filled
// in, every WSUS server's virtualRoots replaced by the derived flags of all
// nine roots (SPEC §2), and today's date as input.today (YYYY-MM-DD).
func Input(cfg *schema.Config, today time.Time) (ast.Value, error) {
	b, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("encode config: %w", err)
	}
	var doc map[string]any
	if err := util.UnmarshalJSON(b, &doc); err != nil {
		return nil, fmt.Errorf("decode config: %w", err)
	}
	sites, _ := doc["sites"].(map[string]any)
	for code, site := range cfg.Sites {
		servers := sites[code].(map[string]any)["servers"].(map[string]any)
		for fqdn, srv := range site.Servers {
			if srv.WSUS == nil {
				continue
			}
			roots := map[string]any{}
			for name, flags := range schema.EffectiveVirtualRoots(srv.WSUS) {
				fl := make([]any, len(flags))
				for i, f := range flags {
					fl[i] = f
				}
				roots[name] = map[string]any{"sslFlags": fl}
			}
			servers[fqdn].(map[string]any)["wsus"].(map[string]any)["virtualRoots"] = roots
		}
	}
	doc["today"] = today.Format(time.DateOnly)
	return ast.InterfaceToValue(doc)
}

// Check evaluates every rule against cfg and returns the findings sorted by
// rule, then path.
func (e *Engine) Check(ctx context.Context, cfg *schema.Config, today time.Time) ([]Finding, error) {
	in, err := Input(cfg, today)
	if err != nil {
		return nil, err
	}
	rs, err := e.query.Eval(ctx, rego.EvalParsedInput(in))
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
	SortFindings(out)
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
