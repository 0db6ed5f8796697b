// Package vet runs the checks of `supctl vet`: load the repo (schema), check
// it (policies), apply waivers and place every finding in the user's files.
package vet

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/supctl/supctl/policies"
	"github.com/supctl/supctl/schema"
)

// Checker vets repos with one compiled rule catalog; safe for reuse.
type Checker struct {
	engine *policies.Engine
	// Today is the date waivers and certificates are judged by; zero means now.
	Today time.Time
}

// NewChecker compiles the rule catalog. (Compiling it in the background
// while the first repo loads bought 6% of the wall time at one site and
// nothing at 1,000 sites, whose load keeps both processors busy: issue 15.)
func NewChecker(ctx context.Context) (*Checker, error) {
	e, err := policies.New(ctx)
	if err != nil {
		return nil, err
	}
	return &Checker{engine: e}, nil
}

func (c *Checker) today() time.Time {
	if c.Today.IsZero() {
		return time.Now()
	}
	return c.Today
}

// Vet loads the repo at paths and checks it. The error is for problems
// outside the repo's content (a path not found, no config files); everything
// wrong inside the files is a Result.
func (c *Checker) Vet(ctx context.Context, paths []string) (*Report, error) {
	repo, err := schema.Load(paths)
	if err != nil {
		return nil, err
	}
	rep := &Report{Files: len(repo.Files)}
	for _, p := range repo.Problems {
		rep.Results = append(rep.Results, Result{
			Rule: p.Rule, Severity: policies.SeverityError,
			File: p.Pos.File, Line: p.Pos.Line, Col: p.Pos.Col, Path: nonNil(p.Path), Msg: p.Msg,
			Detail: p.Detail, known: p.Known,
		})
	}
	if repo.Config == nil {
		confineQuotes(rep.Results, repo)
		sortResults(rep.Results)
		return rep, nil
	}
	rep.Config = repo.Config
	for code := range repo.Config.Sites {
		rep.Sites = append(rep.Sites, code)
	}
	sort.Strings(rep.Sites)
	findings, err := c.engine.Check(ctx, repo.Config, c.today())
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	waivers, bad := parseWaivers(repo.Config.Waivers)
	for _, b := range bad {
		path := []string{"waivers", strconv.Itoa(b.index), b.field}
		r := Result{Rule: schema.RuleSchema, Severity: policies.SeverityError, Path: path, Msg: schema.FormatPath(path) + ": " + b.err.Error()}
		if pos, ok := repo.Positions.Lookup(path); ok {
			r.File, r.Line, r.Col = pos.File, pos.Line, pos.Col
		}
		rep.Results = append(rep.Results, r)
	}
	today := c.today().Format(time.DateOnly)
	for _, f := range findings {
		r := Result{Rule: f.Rule, Severity: f.Severity, Path: nonNil(f.Path), Msg: f.Msg}
		if ps := repo.Positions.All(f.Path); len(ps) > 0 {
			r.File, r.Line, r.Col = ps[0].File, ps[0].Line, ps[0].Col
			r.Also = ps[1:]
		}
		if w := waivers.match(f, today); w != nil {
			r.Waived, r.Reason = true, w.Reason
		}
		rep.Results = append(rep.Results, r)
	}
	rep.UnusedWaivers = waivers.unused()
	confineQuotes(rep.Results, repo)
	sortResults(rep.Results)
	return rep, nil
}

// confineQuotes keeps every finding placed in a file from quoting more than
// its offending line (schema.ConfineQuotes): a repo is hostile input.
func confineQuotes(rs []Result, repo *schema.Repo) {
	for i := range rs {
		if rs[i].File == "" {
			continue
		}
		line, _ := repo.Line(rs[i].File, rs[i].Line)
		rs[i].Msg = schema.ConfineQuotes(rs[i].Msg, line, rs[i].known...)
		rs[i].Detail = schema.ConfineQuotes(rs[i].Detail, line)
	}
}

func nonNil(p []string) []string {
	if p == nil {
		return []string{}
	}
	return p
}

func sortResults(rs []Result) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return a.Rule < b.Rule
	})
}
