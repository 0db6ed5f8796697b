package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/supctl/supctl/cmd/supctl/internal/report"
	"github.com/supctl/supctl/reconcile"
)

func init() { register(newReportCmd) }

// reportFlags are the flags of supctl report.
type reportFlags struct {
	common      commonFlags
	out         string
	offline     bool
	parallelism int
}

func newReportCmd(e *env) *cobra.Command {
	f := &reportFlags{}
	c := newCommand("report [PATH...] --out FILE",
		"write a self-contained HTML page: hierarchy, health, findings, pending changes", `  # From the config alone (no servers): the hierarchy and the findings.
  supctl report --out report.html --offline

  # With the servers of supctl.endpoints.yaml: health, upstream sync and the plan too.
  supctl report --out report.html`)
	c.RunE = runWith(e, f.run)
	fs := c.Flags()
	fs.StringVar(&f.out, "out", "", "write the HTML page to FILE (required)")
	fs.BoolVar(&f.offline, "offline", false, "do not observe the servers: the config and its findings only (the default when no endpoints file is given or found)")
	fs.IntVar(&f.parallelism, "parallelism", 10, "servers observed at once")
	registerNetworkFlags(fs, &f.common)
	registerOutputFlags(fs, &f.common)
	return c
}

// run vets the repo, observes the servers when an endpoints file is given
// or found beside the first PATH (and not --offline), and writes the page.
// A config with errors is drawn from its findings alone and exits 1; a
// server that cannot be observed exits 4 and writes nothing.
func (f *reportFlags) run(ctx context.Context, e *env, paths []string) int {
	if f.out == "" {
		fmt.Fprintf(e.stderr, "supctl report: --out FILE is required (see --help)\n")
		return exitUsage
	}
	if f.parallelism < 1 {
		fmt.Fprintf(e.stderr, "supctl report: --parallelism %d must be at least 1\n", f.parallelism)
		return exitUsage
	}
	checker, code := newChecker(ctx, e)
	if checker == nil {
		return code
	}
	rep, code := vetRepo(ctx, e, checker, paths, defaultEvalLimits)
	if rep == nil {
		return code
	}
	today, err := fixedToday(e)
	if err != nil {
		fmt.Fprintf(e.stderr, "supctl report: %v\n", err)
		return exitUsage
	}
	if today.IsZero() {
		today = time.Now().UTC()
	}
	title := strings.Join(paths, " ")
	if title == "" {
		title = "."
	}
	in := report.Input{Title: title, Vet: rep, Today: today}
	switch observe, why := f.shouldObserve(e, paths); {
	case !rep.Valid(false):
		in.Unobserved = "the config has errors (a config with errors is never planned)"
	case !observe:
		in.Unobserved = why
	default:
		rec, err := newReconciler(e, &f.common, paths, reconcile.Options{Parallelism: f.parallelism}, false)
		if err != nil {
			fmt.Fprintf(e.stderr, "supctl report: %v\n", err)
			return exitUsage
		}
		if in.Plan, err = rec.Plan(ctx, rep.Config, nil); err != nil {
			fmt.Fprintf(e.stderr, "supctl report: %v\n", err)
			return reconcileExit(err)
		}
	}
	var b bytes.Buffer
	if err := report.Render(&b, in); err != nil {
		fmt.Fprintf(e.stderr, "supctl report: %v\n", err)
		return exitUsage
	}
	if err := writeFileAtomic(f.out, b.Bytes()); err != nil {
		fmt.Fprintf(e.stderr, "supctl report: %v\n", err)
		return exitUsage
	}
	if !f.common.quiet {
		state := "servers observed"
		if in.Plan == nil {
			state = "servers not observed: " + in.Unobserved
		}
		fmt.Fprintf(e.stdout, "Report of %d site(s) written to %s (%s).\n", len(rep.Sites), f.out, state)
	}
	return rep.ExitCode(false)
}

// shouldObserve says whether to reach the servers: not with --offline;
// yes with --endpoints or $SUPCTL_ENDPOINTS; else only when
// supctl.endpoints.yaml is beside the first PATH (a report never guesses
// servers from DNS names alone).
func (f *reportFlags) shouldObserve(e *env, paths []string) (bool, string) {
	switch {
	case f.offline:
		return false, "--offline"
	case endpointsPath(e, &f.common) != "":
		return true, ""
	}
	path := defaultEndpoints(paths)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return false, "no --endpoints and no " + filepath.Base(path) + " beside the config"
	}
	return true, ""
}

// writeFileAtomic writes data to path through a temporary file in the same
// directory, so that a reader never sees half a file.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing left to remove
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
