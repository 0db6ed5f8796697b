package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"cuelang.org/go/cue/ast"
	"github.com/spf13/cobra"

	"github.com/supctl/supctl/cmd/supctl/internal/importer"
	"github.com/supctl/supctl/cmd/supctl/internal/vet"
	"github.com/supctl/supctl/policies"
	"github.com/supctl/supctl/reconcile"
)

func init() { register(newImportCmd) }

// importFlags are the flags of supctl import.
type importFlags struct {
	common   commonFlags
	sites    []string
	servers  []string
	out      string
	format   string
	pkg      string
	explicit bool
}

func newImportCmd(e *env) *cobra.Command {
	f := &importFlags{}
	c := newCommand("import --site CODE... [--server FQDN...] [--out FILE|DIR/] [--format cue|yaml|json] [--explicit] [--package NAME]",
		"write a config repo from the observed state of running servers, to start a repo", `  # Start a repo from a hierarchy: each site's servers are found from its site
  # server's ConfigMgr document (site servers from the endpoints file), one
  # file per site.
  supctl import --endpoints supctl.endpoints.yaml --site CEN --site PR1 --out sites/

  # A site server the endpoints file does not list, as YAML on stdout.
  supctl import --site P01 --server cm01.corp.example.com --format yaml

  # Then check that the imported repo plans to no changes.
  supctl plan --detailed-exitcode sites/`)
	c.RunE = runWith(e, func(ctx context.Context, e *env, args []string) int {
		return f.run(ctx, e, args, c.Flags().Changed("format"))
	})
	fs := c.Flags()
	fs.StringArrayVar(&f.sites, "site", nil, "site code to import (repeatable; required): its site server, active and Internet-based SUP are found from the ConfigMgr document")
	fs.StringArrayVar(&f.servers, "server", nil, "FQDN of a server to observe (repeatable): a site server the endpoints file does not list, or a server of the (single) site that its ConfigMgr document does not name")
	fs.StringVar(&f.out, "out", "", "write to FILE (all sites), or to DIR (an existing directory or a path ending in /) one file per site (default: stdout)")
	fs.StringVar(&f.format, "format", "cue", "file format: cue|yaml|json (default: from --out FILE's extension, else cue)")
	fs.StringVar(&f.pkg, "package", "config", "CUE package name of the files")
	fs.BoolVar(&f.explicit, "explicit", false, "also write values equal to the schema's defaults and the derived code and fqdn")
	registerNetworkFlags(fs, &f.common)
	registerOutputFlags(fs, &f.common)
	completeValues(c, "format", importer.Formats...)
	return c
}

func (f *importFlags) run(ctx context.Context, e *env, args []string, formatGiven bool) int {
	common := &f.common
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(e.stderr, "supctl import: "+format+"\n", a...)
		return exitUsage
	}
	switch {
	case len(args) > 0:
		return usageErr("unexpected arguments %v", args)
	case len(f.sites) == 0:
		return usageErr("at least one --site is required")
	}
	dir, file, err := importOutput(f, formatGiven)
	if err != nil {
		return usageErr("%v", err)
	}
	if !slices.Contains(importer.Formats, f.format) {
		return usageErr("invalid value %q for --format (want one of %v)", f.format, importer.Formats)
	}
	if !ast.IsValidIdent(f.pkg) {
		return usageErr("--package %q is not a CUE identifier", f.pkg)
	}
	ep, err := loadEndpoints(endpointsPath(e, common), nil)
	if err != nil {
		return usageErr("%v", err)
	}
	rec, err := newReconciler(e, common, nil, reconcile.Options{}, false)
	if err != nil {
		return usageErr("%v", err)
	}
	checker, code := newChecker(ctx, e)
	if checker == nil {
		return code
	}
	minWSUS, err := policies.MinWSUS(ctx)
	if err != nil {
		fmt.Fprintf(e.stderr, "supctl import: %v\n", err)
		return exitUsage
	}

	o := &importObserver{rec: rec, obs: map[string]importer.Observed{}}
	sites, code, err := o.discover(ctx, f.sites, f.servers, slices.Sorted(maps.Keys(ep.Servers)))
	if err != nil {
		fmt.Fprintf(e.stderr, "supctl import: %v\n", err)
		return code
	}
	// Nothing is written unless the files describe the servers.
	refuse := func(err error, hints []string) int {
		fmt.Fprintf(e.stderr, "supctl import: %v\n", err)
		for _, h := range hints {
			fmt.Fprintf(e.stderr, "hint: %s\n", h)
		}
		fmt.Fprintln(e.stderr, "nothing was written")
		return exitTarget
	}
	imp, err := importer.Describe(sites, o.obs, minWSUS)
	if err != nil {
		return refuse(err, nil)
	}
	r, err := importer.Prepare(imp, importer.Options{Format: f.format, Package: f.pkg, Explicit: f.explicit, At: time.Now()})
	if err != nil {
		return refuse(err, nil)
	}
	files, err := importFiles(r, dir, file)
	if err != nil {
		return refuse(err, nil)
	}
	var warnings io.Writer = e.stderr
	if common.quiet {
		warnings = io.Discard
	}
	if err := roundTrip(ctx, checker, files, o.obs, warnings); err != nil {
		return refuse(err, imp.Hints)
	}
	if dir == "" && file == "" {
		_, err = e.stdout.Write(files[0].data)
	} else {
		err = writeFiles(files)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "supctl import: write: %v\n", err)
		return exitUsage
	}
	return exitOK
}

// importOutput reads --out: a directory (an existing one, or a path ending
// in a separator, created if missing) gets one file per site; any other
// path is one file of every site, whose extension gives the format unless
// --format was given (then they must agree).
func importOutput(f *importFlags, formatGiven bool) (dir, file string, err error) {
	if f.out == "" {
		return "", "", nil
	}
	if strings.HasSuffix(f.out, "/") || strings.HasSuffix(f.out, string(filepath.Separator)) {
		return filepath.Clean(f.out), "", nil
	}
	if fi, err := os.Stat(f.out); err == nil && fi.IsDir() {
		return f.out, "", nil
	}
	ext := strings.TrimPrefix(filepath.Ext(f.out), ".")
	if ext == "yml" {
		ext = "yaml"
	}
	switch {
	case !slices.Contains(importer.Formats, ext):
		return "", "", fmt.Errorf("--out %s: want a .cue, .yaml, .yml or .json file, or a directory", f.out)
	case formatGiven && ext != f.format:
		return "", "", fmt.Errorf("--out %s is a .%s file but --format is %s", f.out, ext, f.format)
	}
	f.format = ext
	return "", f.out, nil
}

// importObserver observes servers once each, noting when.
type importObserver struct {
	rec *reconcile.Reconciler
	obs map[string]importer.Observed
}

// observe reads the servers not observed yet; an unreachable one fails.
func (o *importObserver) observe(ctx context.Context, fqdns []string) error {
	var todo []string
	for _, f := range fqdns {
		if _, ok := o.obs[f]; !ok {
			todo = append(todo, f)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	got, err := o.rec.Observe(ctx, todo)
	if err != nil {
		return err
	}
	at := time.Now()
	for f, st := range got {
		o.obs[f] = importer.Observed{State: st, At: at}
	}
	return nil
}

// observeEach reads each server on its own, keeping those that answer, and
// returns the errors of the others.
func (o *importObserver) observeEach(ctx context.Context, fqdns []string) []error {
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make([]error, len(fqdns))
	sem := make(chan struct{}, 10)
	for i, f := range fqdns {
		if _, ok := o.obs[f]; ok {
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			got, err := o.rec.Observe(ctx, []string{f})
			if err != nil {
				errs[i] = err
				return
			}
			mu.Lock()
			o.obs[f] = importer.Observed{State: got[f], At: time.Now()}
			mu.Unlock()
		})
	}
	wg.Wait()
	return slices.DeleteFunc(errs, func(err error) bool { return err == nil })
}

// siteServer returns the observed site server of code, or "".
func (o *importObserver) siteServer(code string) string {
	for _, f := range slices.Sorted(maps.Keys(o.obs)) {
		if cm := o.obs[f].State.Server.ConfigMgr; cm != nil && cm.SiteCode == code {
			return f
		}
	}
	return ""
}

// discover finds the servers of each site: the site server (among the
// --server FQDNs, else among the endpoints file's servers), the servers its
// ConfigMgr document names (active and Internet-based SUP), and the other
// --server FQDNs, which belong to the site whose document names them or,
// with a single --site, to that site. It returns code → FQDNs, or an error
// with its exit code.
func (o *importObserver) discover(ctx context.Context, codes, servers, listed []string) (map[string][]string, int, error) {
	slices.Sort(codes)
	codes = slices.Compact(codes)
	if err := o.observe(ctx, servers); err != nil {
		return nil, exitTarget, err
	}
	var missing []string
	for _, c := range codes {
		if o.siteServer(c) == "" {
			missing = append(missing, c)
		}
	}
	var probeErrs []error
	if len(missing) > 0 {
		probeErrs = o.observeEach(ctx, listed)
	}
	sites := map[string][]string{}
	for _, c := range codes {
		ss := o.siteServer(c)
		if ss == "" {
			err := fmt.Errorf("site %s: no site server found (configmgr.siteCode %s) among the --server FQDNs and the endpoints file's servers: name it with --server", c, c)
			return nil, exitTarget, errors.Join(append([]error{err}, probeErrs...)...)
		}
		named := importer.SiteServers(o.obs[ss].State.Server)
		if err := o.observe(ctx, named); err != nil {
			return nil, exitTarget, fmt.Errorf("site %s: %w", c, err)
		}
		sites[c] = named
	}
	for _, f := range servers {
		if slices.ContainsFunc(codes, func(c string) bool { return slices.Contains(sites[c], f) }) {
			continue
		}
		if cm := o.obs[f].State.Server.ConfigMgr; cm != nil {
			return nil, exitUsage, fmt.Errorf("--server %s is the site server of %s: import that site too (--site %s)", f, cm.SiteCode, cm.SiteCode)
		}
		if len(codes) > 1 {
			return nil, exitUsage, fmt.Errorf("--server %s: the ConfigMgr document of none of sites %s names it, so its site is unknown: import it with a single --site", f, strings.Join(codes, ", "))
		}
		sites[codes[0]] = append(sites[codes[0]], f)
	}
	return sites, exitOK, nil
}

// importFile is one file import writes.
type importFile struct {
	path string // "" for stdout
	name string // the file's base name ("import.cue" for stdout)
	data []byte
}

// importFiles renders the import: one file per site in dir, or one file
// of every site (at file, or stdout when both are "").
func importFiles(r *importer.Rendered, dir, file string) ([]importFile, error) {
	if dir == "" {
		data, err := r.File()
		if err != nil {
			return nil, err
		}
		name := "import." + r.Format()
		if file != "" {
			name = filepath.Base(file)
		}
		return []importFile{{path: file, name: name, data: data}}, nil
	}
	var out []importFile
	for _, c := range r.Codes() {
		data, err := r.File(c)
		if err != nil {
			return nil, err
		}
		out = append(out, importFile{path: filepath.Join(dir, r.FileName(c)), name: r.FileName(c), data: data})
	}
	return out, nil
}

// roundTrip checks the import before anything is written: the files,
// loaded as a repo of their own, must vet without errors and plan no
// change against the very documents they were made from. Warnings are
// written to warnings. The error says what no config can describe.
func roundTrip(ctx context.Context, checker *vet.Checker, files []importFile, obs map[string]importer.Observed, warnings io.Writer) error {
	tmp, err := os.MkdirTemp("", "supctl-import-")
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	defer os.RemoveAll(tmp)
	names := map[string]string{} // temp path → what the user sees
	for i, f := range files {
		p := filepath.Join(tmp, fmt.Sprintf("%d-%s", i, f.name))
		names[p] = cmp.Or(f.path, "<stdout>")
		if err := os.WriteFile(p, f.data, 0o600); err != nil {
			return fmt.Errorf("check: %w", err)
		}
	}
	rep, err := checker.Vet(ctx, []string{tmp})
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	var problems []string
	for _, r := range rep.Results {
		line := fmt.Sprintf("%s:%d:%d: %s %s: %s", cmp.Or(names[r.File], r.File), r.Line, r.Col, r.Severity, r.Rule, r.Msg)
		if r.Severity == policies.SeverityError {
			problems = append(problems, line)
		} else {
			fmt.Fprintf(warnings, "supctl import: %s\n", line)
		}
	}
	if len(problems) > 0 || rep.Config == nil {
		return fmt.Errorf("the observed state breaks the rules, so no valid config describes it; fix the servers first:\n  %s", strings.Join(problems, "\n  "))
	}
	o := make(reconcile.Observation, len(obs))
	for f, ob := range obs {
		o[f] = ob.State
	}
	today := checker.Today
	if today.IsZero() {
		today = time.Now().UTC()
	}
	p, err := reconcile.PlanFrom(rep.Config, nil, o, today)
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	if p.HasChanges() {
		var diffs []string
		for _, sp := range p.Sites {
			for _, m := range sp.Manual {
				diffs = append(diffs, fmt.Sprintf("%s: %s: observed %s, the config says %s", m.Server, m.Field, m.Observed, m.Desired))
			}
			for _, st := range sp.Steps {
				for _, c := range st.Changes {
					diffs = append(diffs, fmt.Sprintf("%s: %s: observed %s, the config says %s", st.Server, c.Field, c.Old, c.New))
				}
			}
		}
		return fmt.Errorf("the imported config would change the servers, so it does not describe them:\n  %s", strings.Join(diffs, "\n  "))
	}
	return nil
}

// writeFiles writes every file through a temporary file in its directory,
// renaming them into place only once all are written.
func writeFiles(files []importFile) error {
	tmps := make([]string, len(files))
	defer func() {
		for _, t := range tmps {
			if t != "" {
				os.Remove(t)
			}
		}
	}()
	for i, f := range files {
		dir := filepath.Dir(f.path)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		t, err := os.CreateTemp(dir, ".supctl-import-*")
		if err != nil {
			return err
		}
		tmps[i] = t.Name()
		_, err = io.Copy(t, strings.NewReader(string(f.data)))
		if cerr := t.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Chmod(t.Name(), 0o644)
		}
		if err != nil {
			return err
		}
	}
	for i, f := range files {
		if err := os.Rename(tmps[i], f.path); err != nil {
			return err
		}
		tmps[i] = ""
	}
	return nil
}
