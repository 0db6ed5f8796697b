package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// events decodes apply --format json's output: every line one event with
// version 1, a type and a time.
func events(t *testing.T, out []byte) []applyEvent {
	t.Helper()
	var evs []applyEvent
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var ev applyEvent
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ev); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if ev.Version != 1 || ev.Type == "" || ev.Time == "" {
			t.Fatalf("line %q: no version 1, type or time", sc.Text())
		}
		evs = append(evs, ev)
	}
	if len(evs) == 0 {
		t.Fatal("no events")
	}
	return evs
}

// TestApplyJSONEvents applies mixed-http to a real supd with --format json:
// the plan first, a start and an ok per step in order, the site, verify,
// and the summary last with the exit code; then nothing to do, and a
// cancelled apply (exit 2).
func TestApplyJSONEvents(t *testing.T) {
	const fqdn = "cm01.corp.example.com"
	url := startSupd(t, "../../fixtures/servers/mixed-http/"+fqdn+".json")
	repo := writeRepo(t, fqdn, url, map[string][]byte{"site.yaml": readFile(t, "../../fixtures/valid/mixed-http/site.yaml")})
	c := &cli{t: t, env: map[string]string{"SUPCTL_TODAY": "2026-11-25", "SUPCTL_TOKEN_HOSTS": "*.corp.example.com", "SUPCTL_TOKEN": cliToken}}

	c.want(exitUsage, "apply", "--auto-approve", "--format", "yaml", repo)
	c.want(exitOK, "apply", "--auto-approve", "--format", "json", repo)
	evs := events(t, c.stdout.Bytes())
	if evs[0].Type != "plan" || evs[0].Plan == nil {
		t.Fatalf("first event %+v, want the plan", evs[0])
	}
	changes := evs[0].Plan.Summary().Changes
	if changes == 0 {
		t.Fatal("the plan has no changes")
	}
	var steps []applyEvent
	for _, ev := range evs {
		if ev.Type == "step" {
			steps = append(steps, ev)
		}
	}
	if len(steps) != 2*changes {
		t.Fatalf("%d step events for %d changes, want a start and an ok each", len(steps), changes)
	}
	for i := 0; i < len(steps); i += 2 {
		start, done := steps[i], steps[i+1]
		if start.Status != "start" || done.Status != "ok" || start.Index != i/2+1 || done.Index != start.Index ||
			start.Step == nil || done.DurationMS == nil || done.Step.Server != fqdn {
			t.Errorf("step events %d: %+v then %+v, want start and ok of step %d", i/2+1, start, done, i/2+1)
		}
	}
	tail := evs[len(evs)-3:]
	if tail[0].Type != "site" || tail[0].Site != "P01" || tail[0].Status != "ok" {
		t.Errorf("site event %+v", tail[0])
	}
	if tail[1].Type != "verify" || tail[1].Status != "ok" || strings.Join(tail[1].Sites, ",") != "P01" {
		t.Errorf("verify event %+v", tail[1])
	}
	sum := tail[2]
	if sum.Type != "summary" || sum.Status != "applied" || sum.ExitCode == nil || *sum.ExitCode != 0 || sum.Steps == nil || *sum.Steps != changes {
		t.Errorf("summary %+v, want applied, %d steps, exit 0", sum, changes)
	}
	if c.stderr.Len() != 0 {
		t.Errorf("stderr: %s", c.stderr.String())
	}

	// Converged: the plan (no changes) and the summary.
	c.want(exitOK, "apply", "--auto-approve", "--format", "json", repo)
	evs = events(t, c.stdout.Bytes())
	if len(evs) != 2 || evs[0].Type != "plan" || evs[1].Status != "no-changes" {
		t.Errorf("converged apply: %+v", evs)
	}

	// Cancelled at the prompt: exit 2, summary cancelled, nothing sent.
	moved := writeRepo(t, fqdn, url, map[string][]byte{"site.yaml": bytes.Replace(
		readFile(t, "../../fixtures/valid/mixed-http/site.yaml"), []byte("schedule: {days: 1}"), []byte("schedule: {days: 2}"), 1)})
	c.terminal, c.stdin = true, "no\n"
	c.want(exitChanges, "apply", "--format", "json", moved)
	evs = events(t, c.stdout.Bytes())
	last := evs[len(evs)-1]
	if len(evs) != 2 || last.Status != "cancelled" || *last.ExitCode != exitChanges {
		t.Errorf("cancelled apply: %+v", evs)
	}
}
