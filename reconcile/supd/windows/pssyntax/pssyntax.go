// Package pssyntax checks PowerShell text for syntax errors with the
// tree-sitter PowerShell grammar (npm packages tree-sitter and
// tree-sitter-powershell, pinned in package.json beside this file, loaded by
// check.mjs under node). Install them with "npm ci" in this directory
// (.ci/run does). Check fails — it never skips — when node or the packages
// are missing.
package pssyntax

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// Dir returns this package's directory (where check.mjs and package.json are).
func Dir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "."
	}
	return filepath.Dir(file)
}

// ErrUnavailable is returned (wrapped) by Check when node or the npm
// packages cannot be run.
var ErrUnavailable = errors.New("PowerShell syntax checker unavailable")

// Check parses every script (name → text) and returns one line per syntax
// problem, "name:line:col: what", sorted. An error means the checker could
// not run at all.
func Check(scripts map[string]string) ([]string, error) {
	dir := Dir()
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "tree-sitter-powershell", "package.json")); err != nil {
		return nil, fmt.Errorf("%w: npm packages not installed (run \"npm ci\" in %s): %v", ErrUnavailable, dir, err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	tmp, err := os.MkdirTemp("", "pssyntax-")
	if err != nil {
		return nil, fmt.Errorf("pssyntax: %w", err)
	}
	defer os.RemoveAll(tmp)
	names := make([]string, 0, len(scripts))
	for n := range scripts {
		names = append(names, n)
	}
	sort.Strings(names)
	args := []string{"--no-deprecation", filepath.Join(dir, "check.mjs")}
	byPath := map[string]string{}
	for i, n := range names {
		p := filepath.Join(tmp, fmt.Sprintf("%04d.ps1", i))
		if err := os.WriteFile(p, []byte(scripts[n]), 0o600); err != nil {
			return nil, fmt.Errorf("pssyntax: %w", err)
		}
		args = append(args, p)
		byPath[p] = n
	}
	cmd := exec.Command(node, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return nil, nil
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		var out []string
		for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
			for p, n := range byPath {
				if rest, ok := strings.CutPrefix(line, p+":"); ok {
					line = n + ":" + rest
				}
			}
			out = append(out, line)
		}
		sort.Strings(out)
		return out, nil
	default:
		return nil, fmt.Errorf("%w: node check.mjs: %v: %s", ErrUnavailable, err, strings.TrimSpace(stderr.String()))
	}
}
