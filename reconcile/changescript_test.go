package reconcile

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/supd/sim"
	"github.com/supctl/supctl/reconcile/supd/windows"
	"github.com/supctl/supctl/reconcile/supd/windows/fakewin"
	"github.com/supctl/supctl/reconcile/supd/windows/pssyntax"
)

// observedFrom is the Observation and the sources of documents (as
// LoadObserved would give for files observed/FQDN.json holding them).
func observedFrom(docs []api.Server) (Observation, []ObservedFile) {
	obs := Observation{}
	var files []ObservedFile
	for _, d := range docs {
		d.Normalize()
		obs[d.FQDN] = api.State{Version: 1, Server: d}
		b, _ := json.Marshal(d)
		sum := sha256.Sum256(b)
		files = append(files, ObservedFile{FQDN: d.FQDN, Path: "observed/" + d.FQDN + ".json", SHA256: hex.EncodeToString(sum[:]), Form: "document"})
	}
	return obs, files
}

// scriptSteps reads the steps back from a change script's step lines.
func scriptSteps(t testing.TB, text string) []Step {
	t.Helper()
	var out []Step
	last := 0
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 1<<16), 1<<22)
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), StepLinePrefix)
		if !ok {
			continue
		}
		var s struct {
			N       int    `json:"n"`
			Server  string `json:"server"`
			Version int64  `json:"version"`
			Op      api.Op `json:"op"`
		}
		if err := json.Unmarshal([]byte(line), &s); err != nil {
			t.Fatalf("step line %q: %v", line, err)
		}
		if s.N <= last {
			t.Fatalf("step line %d comes after step %d", s.N, last)
		}
		last = s.N
		out = append(out, Step{Server: s.Server, Version: s.Version, Op: s.Op})
	}
	return out
}

// guardOf returns the values the guard and the check of step n compare with.
func guardOf(t testing.TB, text string, n int) (field, observed, desired string) {
	t.Helper()
	_, block, ok := strings.Cut(text, "# ---- step "+strconv.Itoa(n)+" of ")
	if !ok {
		t.Fatalf("no block for step %d", n)
	}
	get := func(name string) string {
		_, rest, ok := strings.Cut(block, "\n$"+name+" = '")
		if !ok {
			t.Fatalf("step %d has no $%s", n, name)
		}
		v, _, _ := strings.Cut(rest, "'\n")
		return strings.ReplaceAll(v, "''", "'")
	}
	return get("SupField"), get("SupObserved"), get("SupDesired")
}

// TestChangeScriptsGolden writes the change script of every transition the
// apply tests cover (testdata/changescripts, -update rewrites), checks each
// for PowerShell syntax, and checks that the steps read back from the script
// are the plan's, in order.
func TestChangeScriptsGolden(t *testing.T) {
	all := map[string]string{}
	for _, tr := range transitions() {
		a, b := loadConfig(t, tr.a), loadConfig(t, tr.b)
		obs, files := observedFrom(seedDocs(t, a, b))
		p, err := PlanFrom(b, nil, obs, today)
		if err != nil {
			t.Fatalf("%s: %v", tr.name, err)
		}
		scripts, err := ChangeScripts(p, ChangeScriptOptions{Sources: files})
		if err != nil {
			t.Fatalf("%s: %v", tr.name, err)
		}
		text := scripts.Scripts[0].Text
		all[tr.name] = text
		golden := filepath.Join("testdata", "changescripts", tr.name+".ps1")
		if *update {
			os.MkdirAll(filepath.Dir(golden), 0o755)
			if err := os.WriteFile(golden, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		} else if want, err := os.ReadFile(golden); err != nil || string(want) != text {
			t.Errorf("%s: differs from %s (go test -run TestChangeScriptsGolden -update rewrites it after review): %v", tr.name, golden, err)
		}
		var planned []Step
		for _, sp := range p.Sites {
			planned = append(planned, sp.Steps...)
		}
		got := scriptSteps(t, text)
		manual := strings.Contains(text, "[manual step]")
		if !manual && len(got) != len(planned) {
			t.Errorf("%s: %d steps in the script, %d planned", tr.name, len(got), len(planned))
		}
		for i := range got {
			if !manual && (got[i].Server != planned[i].Server || got[i].Op.Op != planned[i].Op.Op || string(got[i].Op.Args) != string(planned[i].Op.Args)) {
				t.Errorf("%s: step %d is %+v, planned %+v", tr.name, i+1, got[i], planned[i])
			}
		}
	}
	problems, err := pssyntax.Check(all)
	if err != nil {
		t.Fatalf("PowerShell syntax checker: %v", err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// TestChangeScriptRefusesManualSteps: a step whose op has no script is a
// manual step of the header, and the script refuses to start.
func TestChangeScriptRefusesManualSteps(t *testing.T) {
	tr := transitions()[0] // http-to-ssl: needs cm.setSoftwareUpdatePoint and cm.setSiteMode
	a, b := loadConfig(t, tr.a), loadConfig(t, tr.b)
	obs, files := observedFrom(seedDocs(t, a, b))
	p, err := PlanFrom(b, nil, obs, today)
	if err != nil {
		t.Fatal(err)
	}
	scripts, err := ChangeScripts(p, ChangeScriptOptions{Sources: files})
	if err != nil {
		t.Fatal(err)
	}
	text := scripts.Scripts[0].Text
	for _, want := range []string{"cm.setSoftwareUpdatePoint", "is done by hand", "Site Management", "refusing to start", "exit 4", "No rollback is attempted"} {
		if !strings.Contains(text, want) {
			t.Errorf("script lacks %q", want)
		}
	}
	_, manualList, _ := strings.Cut(text, "$SupManual = @(\n")
	if strings.HasPrefix(manualList, ")") {
		t.Error("the manual-step list the script checks is empty")
	}
}

// driftedChangeScript returns the documents of P01 serving HTTP with one
// drift (Inventory requires SSL: healthy, but not the config) and the change
// plan and change script that add an HTTPS binding and repair the drift.
func driftedChangeScript(t *testing.T) ([]api.Server, *Plan, string) {
	t.Helper()
	a := loadConfig(t, config(single(80, 443, false, nil)))
	b := loadConfig(t, config(single(80, 443, false, cert(thumbA, p01))))
	docs := seedDocs(t, a, b)
	docs[0].IIS.VRoots[api.VRootInventory] = []string{"Ssl"}
	obs, files := observedFrom(docs)
	p, err := PlanFrom(b, nil, obs, today)
	if err != nil {
		t.Fatal(err)
	}
	set, err := ChangeScripts(p, ChangeScriptOptions{Sources: files})
	if err != nil {
		t.Fatal(err)
	}
	return docs, p, set.Scripts[0].Text
}

// TestChangeScriptGuardsCompareTheObservedValues: each guard compares with
// exactly the value the plan observed for the field the step changes (the
// value after the earlier steps), and each check with the value the step
// makes; a document changed after the read makes that step's guard fire.
func TestChangeScriptGuardsCompareTheObservedValues(t *testing.T) {
	docs, _, text := driftedChangeScript(t)
	steps := scriptSteps(t, text)
	if len(steps) != 2 {
		t.Fatalf("steps %+v, want addBinding and setSslFlags", steps)
	}
	doc := docs[0]
	for i, st := range steps {
		args, err := api.DecodeArgs(st.Op)
		if err != nil {
			t.Fatal(err)
		}
		probe, err := windows.ProbeFor(st.Op.Op, args)
		if err != nil {
			t.Fatal(err)
		}
		field, observed, desired := guardOf(t, text, i+1)
		if field != probe.Field || observed != probe.Value(doc) {
			t.Errorf("step %d guard compares %s with %s; the plan observed %s = %s", i+1, field, observed, probe.Field, probe.Value(doc))
		}
		if !strings.Contains(text, "$SupProbe = @'\n"+probe.Script) {
			t.Errorf("step %d does not run the probe's own script", i+1)
		}
		op, err := windows.OpScript(st.Op.Op, args)
		if err != nil || !strings.Contains(text, "$SupOp = @'\n"+op) {
			t.Errorf("step %d does not run OpScript's text (%v)", i+1, err)
		}
		// Stale: the same field changed by hand after the read.
		stale := doc.Clone()
		switch a := args.(type) {
		case api.AddBindingArgs:
			stale.IIS.Bindings = append(stale.IIS.Bindings, api.Binding{Protocol: a.Protocol, Port: a.Port, Thumbprint: thumbB})
		case api.SetSslFlagsArgs:
			stale.IIS.VRoots[a.VRoot] = []string{"Ssl", "Ssl128"}
		}
		if probe.Value(stale) == observed {
			t.Errorf("step %d: a changed %s does not fire the guard", i+1, field)
		}
		if doc, _, err = applyForTest(doc, st.Op.Op, args); err != nil {
			t.Fatal(err)
		}
		if desired != probe.Value(doc) {
			t.Errorf("step %d check wants %s, the step makes %s", i+1, desired, probe.Value(doc))
		}
	}
}

func applyForTest(doc api.Server, op string, args any) (api.Server, bool, error) {
	return sim.Apply(doc, op, args)
}

// TestChangeScriptsSplit: --split writes one part per run of consecutive
// steps on one server, in plan order, each holding only that server's steps.
func TestChangeScriptsSplit(t *testing.T) {
	a := loadConfig(t, config(single(80, 443, false, nil)))
	b := loadConfig(t, config(single(8530, 8531, false, cert(thumbA, p01))))
	docs := seedDocs(t, a, b)
	obs, files := observedFrom(docs)
	p, err := PlanFrom(b, nil, obs, today)
	if err != nil {
		t.Fatal(err)
	}
	set, err := ChangeScripts(p, ChangeScriptOptions{Sources: files, Split: true})
	if err != nil {
		t.Fatal(err)
	}
	whole, err := ChangeScripts(p, ChangeScriptOptions{Sources: files})
	if err != nil {
		t.Fatal(err)
	}
	var joined []Step
	for i, s := range set.Scripts {
		if !strings.HasPrefix(s.Name, fmt.Sprintf("%02d-", i+1)) || !strings.HasSuffix(s.Name, ".ps1") {
			t.Errorf("part %d is named %q", i+1, s.Name)
		}
		server := strings.TrimSuffix(s.Name[3:], ".ps1")
		for _, st := range scriptSteps(t, s.Text) {
			if st.Server != server {
				t.Errorf("part %s holds a step of %s", s.Name, st.Server)
			}
			joined = append(joined, st)
		}
	}
	if !reflect.DeepEqual(joined, scriptSteps(t, whole.Scripts[0].Text)) {
		t.Errorf("the parts' steps differ from the whole script's")
	}
}

// hereString returns the text of the here-string assigned to $name in the
// block of step n.
func hereString(t testing.TB, text string, n int, name string) string {
	t.Helper()
	_, block, ok := strings.Cut(text, "# ---- step "+strconv.Itoa(n)+" of ")
	if !ok {
		t.Fatalf("no block for step %d", n)
	}
	_, rest, ok := strings.Cut(block, "\n$"+name+" = @'\n")
	if !ok {
		t.Fatalf("step %d has no $%s here-string", n, name)
	}
	body, _, ok := strings.Cut(rest, "\n'@\n")
	if !ok {
		t.Fatalf("step %d: $%s is not terminated", n, name)
	}
	return body + "\n"
}

// TestChangeScriptStepsRunOnTheFakeMachine plays each step of a change
// script the way the script does, on the fake Windows machine, which
// accepts only texts the windows package generates: the guard's probe
// prints exactly $SupObserved, the op succeeds, the check prints
// $SupDesired. On a machine changed by hand after the read, the first
// guard sees another value: the script would stop there.
func TestChangeScriptStepsRunOnTheFakeMachine(t *testing.T) {
	docs, p, text := driftedChangeScript(t)
	steps := scriptSteps(t, text)
	run := func(m *fakewin.Machine, script string) (string, int) {
		t.Helper()
		out, stderr, code, err := m.Run(context.Background(), script)
		if err != nil {
			t.Fatalf("the fake machine refused a text of the change script: %v", err)
		}
		return string(out) + string(stderr), code
	}

	stale := fakewin.New(docs[0])
	stale.Doc.IIS.Bindings = append(stale.Doc.IIS.Bindings, api.Binding{Protocol: "https", Port: 443, Thumbprint: thumbB})
	stale.Doc.IIS.VRoots[api.VRootInventory] = []string{"Ssl", "Ssl128"}
	_, observed, _ := guardOf(t, text, 1)
	if got, _ := run(stale, hereString(t, text, 1, "SupProbe")); got == observed {
		t.Fatalf("a change by hand after the read leaves the guard of step 1 quiet (%s)", got)
	}

	m := fakewin.New(docs[0])
	for i := range steps {
		_, observed, desired := guardOf(t, text, i+1)
		probe, op := hereString(t, text, i+1, "SupProbe"), hereString(t, text, i+1, "SupOp")
		if got, code := run(m, probe); code != 0 || got != observed {
			t.Fatalf("step %d guard read %q (exit %d), the plan observed %q", i+1, got, code, observed)
		}
		if got, code := run(m, op); code != 0 {
			t.Fatalf("step %d op: exit %d: %s", i+1, code, got)
		}
		if got, code := run(m, probe); code != 0 || got != desired {
			t.Fatalf("step %d check read %q (exit %d), want %q", i+1, got, code, desired)
		}
	}
	want := docs[0].Clone()
	for _, sp := range p.Sites {
		want = sp.Servers[0].Desired
	}
	if d := Diff(m.Doc, want); len(d) != 0 {
		t.Fatalf("after the script the machine differs from the desired state: %+v", d)
	}
}
