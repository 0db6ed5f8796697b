package reconcile

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/supd/sim"
	"github.com/supctl/supctl/reconcile/supd/windows"
)

// ChangeScriptOptions are the inputs of ChangeScripts besides the plan.
type ChangeScriptOptions struct {
	// Sources are the documents the plan was made from (LoadObserved).
	Sources []ObservedFile
	// Split writes one script per run of consecutive steps on one server,
	// each to be run on that server, in the order of their names.
	Split bool
}

// ChangeSet is what ChangeScripts generates.
type ChangeSet struct {
	// Scripts are the files: one, or one per run of steps on a server (Split).
	Scripts []ChangeScript
	// Manual are the manual steps the scripts list; while any remain the
	// scripts refuse to start.
	Manual []string
	// Steps is the number of steps of the plan.
	Steps int
}

// ChangeScript is one generated PowerShell file.
type ChangeScript struct {
	// Name is "" for the single script, else "NN-FQDN.ps1" (Split).
	Name string
	Text string
}

// StepLinePrefix starts the machine-readable line of each step of a change
// script: the step (server, version, op) as JSON. The steps can be read
// back from a script (tests do) and nothing runs from it.
const StepLinePrefix = "# supctl-step: "

// changeStep is one step with everything its script block needs.
type changeStep struct {
	n        int
	step     Step
	server   string
	probe    windows.Probe
	opText   string
	observed string // the probe's value before the step, as planned
	desired  string // the probe's value after it
}

// ChangeScripts renders the plan as PowerShell 2.0 for a change window
// (SPEC §5.9): a header (config digest, sites, steps, the documents planned
// from, manual steps, no rollback), then per step on its server a guard that
// re-reads the value the step changes and stops everything when it is not
// what the plan observed, the op's own script (windows.OpScript), and a
// check that the value is now the desired one. -WhatIf changes nothing; a
// transcript is kept; the first failure stops the script and prints the
// step, what it saw and what is already done. A step whose op is a manual
// step (windows.ManualStepError) is listed with the plan's manual steps:
// the script refuses to start while any remain.
func ChangeScripts(p *Plan, opts ChangeScriptOptions) (*ChangeSet, error) {
	var manual []string
	for _, sp := range p.Sites {
		for _, m := range sp.Manual {
			manual = append(manual, fmt.Sprintf("site %s, %s: %s is %s, want %s: %s", sp.Site, m.Server, m.Field, m.Observed, m.Desired, m.Action))
		}
	}
	docs := map[string]api.Server{}
	for _, sp := range p.Sites {
		for _, s := range sp.Servers {
			docs[s.FQDN] = s.Observed.Clone()
		}
	}
	var steps []changeStep
	for _, sp := range p.Sites {
		for _, st := range sp.Steps {
			args, err := api.DecodeArgs(st.Op)
			if err != nil {
				return nil, fmt.Errorf("change script: step %d: %w", len(steps)+1, err)
			}
			before, ok := docs[st.Server]
			if !ok {
				return nil, fmt.Errorf("change script: step %d: server %s is not in the plan's servers", len(steps)+1, st.Server)
			}
			after, _, err := sim.Apply(before, st.Op.Op, args)
			if err != nil {
				return nil, fmt.Errorf("change script: step %d (%s on %s): %w", len(steps)+1, st.Op.Op, st.Server, err)
			}
			docs[st.Server] = after
			cs := changeStep{n: len(steps) + 1, step: st, server: st.Server}
			text, err := windows.OpScript(st.Op.Op, args)
			var ms *windows.ManualStepError
			switch {
			case errors.As(err, &ms):
				manual = append(manual, fmt.Sprintf("site %s, %s: step %d, %s %s, is done by hand: %s; change it in %s", sp.Site, st.Server, cs.n, st.Op.Op, st.Op.Args, ms.Reason, ms.ConsolePath))
			case err != nil:
				return nil, fmt.Errorf("change script: step %d: %w", cs.n, err)
			default:
				cs.opText = text
				if cs.probe, err = windows.ProbeFor(st.Op.Op, args); err != nil {
					return nil, fmt.Errorf("change script: step %d: %w", cs.n, err)
				}
				cs.observed, cs.desired = cs.probe.Value(before), cs.probe.Value(after)
				for _, t := range []string{cs.opText, cs.probe.Script} {
					if strings.Contains(t, "\n'@") || strings.HasPrefix(t, "'@") {
						return nil, fmt.Errorf("change script: step %d: a script contains a here-string terminator", cs.n)
					}
				}
			}
			steps = append(steps, cs)
		}
	}
	set := &ChangeSet{Manual: manual, Steps: len(steps)}
	if !opts.Split {
		set.Scripts = []ChangeScript{{Text: renderChangeScript(p, opts.Sources, manual, steps, steps, "")}}
		return set, nil
	}
	var out []ChangeScript
	for i := 0; i < len(steps); {
		j := i
		for j < len(steps) && steps[j].server == steps[i].server {
			j++
		}
		name := fmt.Sprintf("%02d-%s.ps1", len(out)+1, steps[i].server)
		out = append(out, ChangeScript{Name: name, Text: renderChangeScript(p, opts.Sources, manual, steps, steps[i:j], name)})
		i = j
	}
	if len(out) == 0 {
		out = append(out, ChangeScript{Name: "01-no-changes.ps1", Text: renderChangeScript(p, opts.Sources, manual, steps, nil, "01-no-changes.ps1")})
	}
	set.Scripts = out
	return set, nil
}

// psSingle quotes s for PowerShell (single quotes doubled; the texts here
// are ASCII JSON and names, so no typographic quotes occur, but they are
// doubled too).
func psSingle(s string) string {
	r := strings.NewReplacer("'", "''", "\u2018", "\u2018\u2018", "\u2019", "\u2019\u2019", "\u201A", "\u201A\u201A", "\u201B", "\u201B\u201B")
	return "'" + r.Replace(s) + "'"
}

// commentSafe keeps a header line inside the <# #> block.
func commentSafe(s string) string {
	return strings.NewReplacer("#>", "# >", "<#", "< #").Replace(s)
}

func renderChangeScript(p *Plan, sources []ObservedFile, manual []string, all, mine []changeStep, name string) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	sites := make([]string, len(p.Sites))
	for i, sp := range p.Sites {
		sites[i] = sp.Site
	}
	w("<#\n")
	w("supctl change script: generated by 'supctl plan --format powershell'; do not edit.\n")
	if name != "" {
		w("Part %s: run the parts in the order of their names, each on its server.\n", name)
	}
	w("\nConfig digest: %s\n", p.ConfigDigest)
	w("Sites: %s\n", strings.Join(sites, ", "))
	w("Planned from these documents:\n")
	srcs := append([]ObservedFile(nil), sources...)
	sort.Slice(srcs, func(i, j int) bool { return srcs[i].FQDN < srcs[j].FQDN })
	if len(srcs) == 0 {
		w("  (the servers' supd agents)\n")
	}
	for _, s := range srcs {
		w("  %s  %s (%s, sha256 %s)\n", s.FQDN, commentSafe(s.Path), s.Form, s.SHA256)
	}
	w("Steps (%d, in this order; each keeps clients scanning):\n", len(all))
	if len(all) == 0 {
		w("  none\n")
	}
	for _, s := range all {
		mark := ""
		if s.opText == "" {
			mark = "  [manual step]"
		}
		w("  %d. %s %s %s%s\n", s.n, s.server, s.step.Op.Op, commentSafe(string(s.step.Op.Args)), mark)
		for _, c := range s.step.Changes {
			w("       %s: %s -> %s\n", c.Field, commentSafe(string(c.Old)), commentSafe(string(c.New)))
		}
	}
	w("Manual steps (this script refuses to start while any remain):\n")
	if len(manual) == 0 {
		w("  none\n")
	}
	for _, m := range manual {
		w("  - %s\n", commentSafe(m))
	}
	w("\nBefore each step a guard re-reads the value the step changes and stops the\n")
	w("script if it is not what the plan observed (the plan is stale: nothing else\n")
	w("runs); after it, a check reads the value again. No rollback is attempted: on\n")
	w("a failure the script stops and prints the step, what it saw and the steps\n")
	w("already done; every step leaves the site healthy, and planning again from\n")
	w("fresh documents continues from there.\n")
	w("\nRun:   powershell.exe -NoProfile -ExecutionPolicy Bypass -File <this file> [-WhatIf]\n")
	w("Steps on another server run there with Invoke-Command -ComputerName (WinRM).\n")
	w("A transcript is written beside this file.\n")
	w("#>\n")
	w("[CmdletBinding(SupportsShouldProcess = $true)]\nparam()\n\n")
	w("$ErrorActionPreference = 'Stop'\n")
	w("$SupManual = @(\n")
	for i, m := range manual {
		sep := ","
		if i == len(manual)-1 {
			sep = ""
		}
		w("    %s%s\n", psSingle(m), sep)
	}
	w(")\n")
	w(`if ($SupManual.Length -gt 0) {
    [Console]::Error.WriteLine('supctl change script: refusing to start: ' + $SupManual.Length + ' manual step(s) remain:')
    foreach ($m in $SupManual) { [Console]::Error.WriteLine('  - ' + $m) }
    exit 4
}

$SupCs = Get-WmiObject -Class Win32_ComputerSystem
$SupThisServer = ([string]$SupCs.DNSHostName + '.' + [string]$SupCs.Domain).ToLower()
$SupScriptDir = Split-Path -Parent $MyInvocation.MyCommand.Path
$SupTranscript = Join-Path $SupScriptDir ('supctl-change-' + (Get-Date).ToString('yyyyMMdd-HHmmss') + '.log')
Start-Transcript -Path $SupTranscript | Out-Null
$SupDone = @()

# Invoke-SupScript runs one script of supctl's windows backend as its own
# powershell.exe (-EncodedCommand, like supd's local runner) on $Server:
# here, or there with Invoke-Command -ComputerName. It returns the exit
# code, stdout and stderr.
function Invoke-SupScript {
    param([string]$Server, [string]$Text)
    $run = {
        param([string]$Text)
        $ErrorActionPreference = 'Continue'
        $enc = [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($Text))
        $all = @(& powershell.exe -NoProfile -NonInteractive -EncodedCommand $enc 2>&1)
        $code = $LASTEXITCODE
        $out = @($all | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] } | ForEach-Object { [string]$_ }) -join "` + "`n" + `"
        $err = @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } | ForEach-Object { $_.ToString() }) -join ' '
        New-Object PSObject -Property @{ Code = $code; Out = $out.Trim(); Err = $err.Trim() }
    }
    if ($Server -eq $SupThisServer) { return (& $run $Text) }
    return (Invoke-Command -ComputerName $Server -ScriptBlock $run -ArgumentList $Text)
}

# Stop-SupChange stops the whole script: the step, what it saw, what is done.
function Stop-SupChange {
    param([string]$Step, [string]$Saw, [int]$Code)
    [Console]::Error.WriteLine('supctl change script: STOPPED at step ' + $Step)
    [Console]::Error.WriteLine('  ' + $Saw)
    [Console]::Error.WriteLine('  steps already done: ' + $SupDone.Length)
    foreach ($d in $SupDone) { [Console]::Error.WriteLine('    ' + $d) }
    [Console]::Error.WriteLine('  No rollback is attempted. Read the servers again and plan from the new documents.')
    Stop-Transcript | Out-Null
    exit $Code
}

`)
	for _, s := range mine {
		if s.opText == "" {
			continue // a manual step: the script never gets here
		}
		stepLine, _ := json.Marshal(struct {
			N       int    `json:"n"`
			Server  string `json:"server"`
			Version int64  `json:"version"`
			Op      api.Op `json:"op"`
		}{s.n, s.server, s.step.Version, s.step.Op})
		title := fmt.Sprintf("%d of %d: %s on %s %s", s.n, len(all), s.step.Op.Op, s.server, s.step.Op.Args)
		w("# ---- step %d of %d: %s on %s ----\n", s.n, len(all), s.step.Op.Op, s.server)
		w("%s%s\n", StepLinePrefix, stepLine)
		w("$SupStep = %s\n", psSingle(title))
		w("$SupServer = %s\n", psSingle(s.server))
		w("$SupField = %s\n", psSingle(s.probe.Field))
		w("$SupObserved = %s\n", psSingle(s.observed))
		w("$SupDesired = %s\n", psSingle(s.desired))
		w("$SupProbe = @'\n%s\n'@\n", strings.TrimSuffix(s.probe.Script, "\n"))
		w("$SupOp = @'\n%s\n'@\n", strings.TrimSuffix(s.opText, "\n"))
		w(`if ($PSCmdlet.ShouldProcess($SupServer, $SupStep)) {
    $r = Invoke-SupScript $SupServer $SupProbe
    if ($r.Code -ne 0) { Stop-SupChange $SupStep ('the guard could not read ' + $SupField + ' (exit ' + $r.Code + '): ' + $r.Err) 4 }
    if ($r.Out -cne $SupObserved) { Stop-SupChange $SupStep ('guard: ' + $SupField + ' is ' + $r.Out + ' but the plan observed ' + $SupObserved + ': the plan is stale, nothing else runs') 4 }
    $r = Invoke-SupScript $SupServer $SupOp
    if ($r.Code -ne 0) { Stop-SupChange $SupStep ('the op failed (exit ' + $r.Code + '): ' + $r.Err) 5 }
    $r = Invoke-SupScript $SupServer $SupProbe
    if ($r.Code -ne 0 -or $r.Out -cne $SupDesired) { Stop-SupChange $SupStep ('check: ' + $SupField + ' is ' + $r.Out + ' after the op, want ' + $SupDesired + ' ' + $r.Err) 5 }
    $SupDone += $SupStep
    Write-Host ('done: step ' + $SupStep)
}

`)
	}
	w("Write-Host ('supctl change script: ' + $SupDone.Length + ' step(s) done. Read the servers again and run supctl plan --observed to verify.')\n")
	w("Stop-Transcript | Out-Null\nexit 0\n")
	return b.String()
}
