package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const fixturesDir = "../../fixtures"

// vetJSON runs the real supctl vet --format json on dir (with the fixed
// date of the fixtures) and returns its findings as "RULE FILE:LINE:COL"
// with FILE relative to dir, and the exit code. --strict makes warnings
// fail too, so a fixture of a warning rule must still exit non-zero.
func vetJSON(t *testing.T, dir string) ([]string, int) {
	t.Helper()
	cmd := exec.Command("supctl", "vet", "--format", "json", "--show-waived", "--strict", dir)
	cmd.Env = append(os.Environ(), "SUPCTL_TODAY=2026-11-25")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run supctl: %v", err)
	}
	var results []struct {
		Rule string `json:"rule"`
		File string `json:"file"`
		Line int    `json:"line"`
		Col  int    `json:"col"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &results); err != nil {
		t.Fatalf("supctl vet %s: bad JSON (%v)\nstdout: %s\nstderr: %s", dir, err, stdout.String(), stderr.String())
	}
	var out []string
	for _, r := range results {
		rel, err := filepath.Rel(dir, r.File)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s %s:%d:%d", r.Rule, filepath.ToSlash(rel), r.Line, r.Col))
	}
	sort.Strings(out)
	return out, code
}

func fixtureDirs(t *testing.T, kind string) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(fixturesDir, kind, "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no fixtures under %s/%s (%v)", fixturesDir, kind, err)
	}
	return dirs
}

// TestFixturesValid: every valid repo vets clean, warnings included.
func TestFixturesValid(t *testing.T) {
	for _, dir := range fixtureDirs(t, "valid") {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			got, code := vetJSON(t, dir)
			if code != 0 || len(got) != 0 {
				t.Errorf("exit %d, findings %q; want exit 0 and none", code, got)
			}
		})
	}
}

// TestFixturesInvalid: every invalid repo yields exactly the findings of its
// want.txt, and an SUPnnn fixture triggers rule SUPnnn.
func TestFixturesInvalid(t *testing.T) {
	for _, dir := range fixtureDirs(t, "invalid") {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			wantB, err := os.ReadFile(filepath.Join(dir, "want.txt"))
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, l := range strings.Split(string(wantB), "\n") {
				if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
					want = append(want, l)
				}
			}
			sort.Strings(want)
			if len(want) == 0 {
				t.Fatal("want.txt lists no finding")
			}
			// SUPnnn or SUPnnn-variant: the fixture must trigger SUPnnn.
			if name := filepath.Base(dir); strings.HasPrefix(name, "SUP") {
				rule, _, _ := strings.Cut(name, "-")
				found := false
				for _, w := range want {
					found = found || strings.HasPrefix(w, rule+" ")
				}
				if !found {
					t.Errorf("fixture %s does not expect rule %s", name, rule)
				}
			}
			got, code := vetJSON(t, dir)
			if code == 0 {
				t.Errorf("exit 0; want non-zero")
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("findings differ\n got: %q\nwant: %q", got, want)
			}
		})
	}
}
