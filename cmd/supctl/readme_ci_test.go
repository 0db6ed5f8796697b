package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// supctlLines returns the supctl command lines of a shell script: the words
// after "supctl" up to a redirection, pipe or list operator.
func supctlLines(script string) [][]string {
	var out [][]string
	for _, line := range strings.Split(script, "\n") {
		words := strings.Fields(line)
		if len(words) == 0 || words[0] != "supctl" {
			continue
		}
		args := []string{}
		for _, w := range words[1:] {
			if strings.HasPrefix(w, ">") || w == "|" || w == "||" || w == "&&" || w == ";" {
				break
			}
			args = append(args, w)
		}
		out = append(out, args)
	}
	return out
}

// redirectTarget returns the file a command line's stdout goes to (> FILE).
func redirectTarget(t *testing.T, script, format string) string {
	t.Helper()
	for _, line := range strings.Split(script, "\n") {
		if !strings.Contains(line, "supctl vet --format "+format) {
			continue
		}
		if _, file, ok := strings.Cut(line, "> "); ok {
			return strings.TrimSpace(file)
		}
	}
	t.Fatalf("no 'supctl vet --format %s > FILE' in\n%s", format, script)
	return ""
}

// checkSupctlLines checks each supctl command line against the real command
// tree and runs it, as CI would, in a valid fixture (exit 0, output).
func checkSupctlLines(t *testing.T, lines [][]string) {
	t.Helper()
	if len(lines) == 0 {
		t.Fatal("the snippet never calls supctl")
	}
	for _, args := range lines {
		if err := checkCommandLine(args); err != nil {
			t.Error(err)
			continue
		}
		cmd := exec.Command("supctl", args...)
		cmd.Dir = filepath.Join("..", "..", "fixtures", "valid", "mixed-http")
		out, err := cmd.Output()
		if err != nil || len(out) == 0 {
			t.Errorf("supctl %s in fixtures/valid/mixed-http: %v, %d bytes of output", strings.Join(args, " "), err, len(out))
		}
	}
}

func readmeText(t *testing.T) string {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(readme)
}

// TestReadmeGitHubActions: the README's workflow is valid YAML, vets with
// flags that exist, and uploads the very SARIF file it writes, also when
// vet fails, with the permission code scanning needs.
func TestReadmeGitHubActions(t *testing.T) {
	src := between(t, readmeText(t), "```yaml\n# .github/workflows/supctl.yml\n", "```")
	var wf struct {
		On          any               `yaml:"on"`
		Permissions map[string]string `yaml:"permissions"`
		Jobs        map[string]struct {
			RunsOn string `yaml:"runs-on"`
			Steps  []struct {
				Uses string            `yaml:"uses"`
				Run  string            `yaml:"run"`
				If   string            `yaml:"if"`
				With map[string]string `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal([]byte(src), &wf); err != nil {
		t.Fatalf("the workflow is not YAML: %v", err)
	}
	if wf.On == nil || len(wf.Jobs) == 0 {
		t.Fatal("the workflow has no trigger or no job")
	}
	if wf.Permissions["security-events"] != "write" {
		t.Error("upload-sarif needs permissions: security-events: write")
	}
	var script, uploaded string
	uploads := 0
	for _, job := range wf.Jobs {
		for _, st := range job.Steps {
			script += st.Run + "\n"
			if strings.HasPrefix(st.Uses, "github/codeql-action/upload-sarif@") {
				uploads++
				uploaded = st.With["sarif_file"]
				if st.If != "always()" {
					t.Error("the SARIF upload must run when vet fails (if: always())")
				}
			}
		}
	}
	if uploads != 1 {
		t.Fatalf("%d upload-sarif steps, want 1", uploads)
	}
	if written := redirectTarget(t, script, "sarif"); written != uploaded {
		t.Errorf("vet writes %q, the upload sends %q", written, uploaded)
	}
	checkSupctlLines(t, supctlLines(script))
}

// TestReadmeGitLabCI: the README's job is valid YAML, vets with flags that
// exist, and publishes the very JUnit file it writes, also when vet fails.
func TestReadmeGitLabCI(t *testing.T) {
	src := between(t, readmeText(t), "```yaml\n# .gitlab-ci.yml\n", "```")
	var jobs map[string]struct {
		Image        string   `yaml:"image"`
		BeforeScript []string `yaml:"before_script"`
		Script       []string `yaml:"script"`
		Artifacts    struct {
			When    string `yaml:"when"`
			Reports struct {
				JUnit string `yaml:"junit"`
			} `yaml:"reports"`
		} `yaml:"artifacts"`
	}
	if err := yaml.Unmarshal([]byte(src), &jobs); err != nil {
		t.Fatalf("the job is not YAML: %v", err)
	}
	if len(jobs) != 1 {
		t.Fatalf("%d jobs, want 1", len(jobs))
	}
	for name, job := range jobs {
		if len(job.Script) == 0 {
			t.Fatalf("job %s has no script", name)
		}
		script := strings.Join(append(job.BeforeScript, job.Script...), "\n")
		if job.Artifacts.When != "always" {
			t.Error("the JUnit report must be published when vet fails (artifacts: when: always)")
		}
		if written := redirectTarget(t, script, "junit"); written != job.Artifacts.Reports.JUnit {
			t.Errorf("vet writes %q, the job publishes %q", written, job.Artifacts.Reports.JUnit)
		}
		checkSupctlLines(t, supctlLines(script))
	}
}
