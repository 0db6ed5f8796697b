package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"
)

// checkCommandLine reports an error unless args (the words after "supctl")
// name a command of the real command tree with flags it has, values of the
// flag's type, and, for flags with a fixed set of values (--format), one
// of those values. Documentation and hooks that call supctl are checked
// with it.
func checkCommandLine(args []string) error {
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }}
	root := newRoot(e)
	c, rest, err := root.Find(args)
	if err != nil {
		return err
	}
	if c == root {
		return fmt.Errorf("supctl %s: no command", strings.Join(args, " "))
	}
	if err := c.ParseFlags(rest); err != nil {
		return fmt.Errorf("supctl %s: %w", strings.Join(args, " "), err)
	}
	var bad error
	c.Flags().Visit(func(f *pflag.Flag) {
		complete, ok := c.GetFlagCompletionFunc(f.Name)
		if !ok || bad != nil {
			return
		}
		values, _ := complete(c, nil, "")
		if !slices.Contains(values, f.Value.String()) {
			bad = fmt.Errorf("supctl %s: --%s %s: want one of %v", strings.Join(args, " "), f.Name, f.Value, values)
		}
	})
	return bad
}

func TestCheckCommandLine(t *testing.T) {
	for _, ok := range [][]string{{"vet"}, {"vet", "--format", "sarif", "."}, {"plan", "--detailed-exitcode", "-q"}} {
		if err := checkCommandLine(ok); err != nil {
			t.Errorf("%v: %v", ok, err)
		}
	}
	for _, bad := range [][]string{{}, {"frobnicate"}, {"vet", "--endpoints", "e.yaml"}, {"vet", "--format", "xml"}, {"plan", "--parallelism", "x"}} {
		if err := checkCommandLine(bad); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

// TestPreCommitHooks: both hooks of .pre-commit-hooks.yaml (built by
// pre-commit with Go, or the supctl on PATH) run an existing supctl command
// line, and that command line vets a valid repo clean and fails an invalid
// one, as the hook runs it (in the repo's root, no file names).
func TestPreCommitHooks(t *testing.T) {
	data, err := os.ReadFile("../../.pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var hooks []struct {
		ID            string `yaml:"id"`
		Language      string `yaml:"language"`
		Entry         string `yaml:"entry"`
		PassFilenames *bool  `yaml:"pass_filenames"`
	}
	if err := yaml.Unmarshal(data, &hooks); err != nil {
		t.Fatal(err)
	}
	langs := map[string]string{}
	for _, h := range hooks {
		langs[h.ID] = h.Language
		words := strings.Fields(h.Entry)
		if len(words) < 2 || words[0] != "supctl" {
			t.Fatalf("hook %s: entry %q does not run supctl", h.ID, h.Entry)
		}
		if err := checkCommandLine(words[1:]); err != nil {
			t.Errorf("hook %s: %v", h.ID, err)
		}
		if h.PassFilenames == nil || *h.PassFilenames {
			t.Errorf("hook %s: pass_filenames must be false (the whole repo is one config)", h.ID)
		}
		for fixture, want := range map[string]int{"valid/mixed-http": 0, "invalid/SUP005": 1} {
			cmd := exec.Command(words[0], words[1:]...)
			cmd.Dir = filepath.Join("..", "..", "fixtures", fixture)
			err := cmd.Run()
			if got := cmd.ProcessState.ExitCode(); got != want {
				t.Errorf("hook %s in fixtures/%s: exit %d (%v), want %d", h.ID, fixture, got, err, want)
			}
		}
	}
	if langs["supctl-vet"] != "golang" || langs["supctl-vet-system"] != "system" {
		t.Errorf("hooks %v, want supctl-vet (golang) and supctl-vet-system (system)", langs)
	}
}
