package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadmeExample runs the real supctl vet on the site shown on the
// README's first screen and compares its output with the one shown there.
func TestReadmeExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	site := between(t, text, "```yaml\n# sites/p01.yaml\n", "```")
	shown := between(t, text, "```\n$ supctl vet\n", "$ echo $?")

	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "sites"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sites", "p01.yaml"), []byte("# sites/p01.yaml\n"+site), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("supctl", "vet")
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout = &out
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("supctl vet: %v, want exit 1", err)
	}
	if out.String() != shown {
		t.Errorf("README shows\n%s\nsupctl vet prints\n%s", shown, out.String())
	}
}

func between(t *testing.T, s, start, end string) string {
	t.Helper()
	_, rest, ok := strings.Cut(s, start)
	if !ok {
		t.Fatalf("README has no %q", start)
	}
	body, _, ok := strings.Cut(rest, end)
	if !ok {
		t.Fatalf("README has no %q after %q", end, start)
	}
	return body
}
