package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/supctl/supctl/schema"
)

// A repo is hostile input: CUE can describe unbounded work (list.Range(0,
// 5000000, 1) ran for minutes at 2 GB). Evaluation cannot be cancelled from
// outside, so a watchdog bounds it: past the timeout or the memory ceiling
// it reports which files were being evaluated and exits 1 — a finding-like
// failure, never a hang or an OOM kill.

// evalLimits bound the loading and checking of a repo.
type evalLimits struct {
	timeout   time.Duration // wall time; 0: none
	maxMemory uint64        // bytes of live heap; 0: none
}

// defaultEvalLimits are vet's defaults, and the limits of plan, apply and
// report, which vet the repo first.
var defaultEvalLimits = evalLimits{timeout: 60 * time.Second, maxMemory: 3 << 30}

// watchdogPeriod is how often the watchdog reads the heap size.
const watchdogPeriod = 20 * time.Millisecond

// startWatchdog enforces lim while the repo at paths is loaded and checked;
// the returned stop ends it. Hitting a limit prints an error naming the
// files being evaluated to e's stderr and exits 1 at once: nothing was
// changed yet by any command that vets.
func startWatchdog(e *env, paths []string, lim evalLimits) (stop func()) {
	if lim.timeout <= 0 && lim.maxMemory == 0 {
		return func() {}
	}
	// The collector works harder near the ceiling: the soft limit is at
	// most the ceiling (restored by stop).
	softLimit := debug.SetMemoryLimit(-1)
	if lim.maxMemory > 0 && lim.maxMemory < uint64(softLimit) {
		debug.SetMemoryLimit(int64(lim.maxMemory))
	}
	var mu sync.Mutex
	stopped := false
	done := make(chan struct{})
	trip := func(why string) {
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return
		}
		fmt.Fprintf(e.stderr, "supctl: %s while evaluating %s: stopped; a config repo this costly is not vetted (raise the limit if it is genuine)\n",
			why, evaluatedFiles(paths))
		os.Exit(exitFindings)
	}
	go func() {
		tick := time.NewTicker(watchdogPeriod)
		defer tick.Stop()
		var deadline <-chan time.Time
		if lim.timeout > 0 {
			t := time.NewTimer(lim.timeout)
			defer t.Stop()
			deadline = t.C
		}
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			select {
			case <-done:
				return
			case <-deadline:
				trip(fmt.Sprintf("evaluation took longer than --timeout %v", lim.timeout))
			case <-tick.C:
				if lim.maxMemory == 0 {
					continue
				}
				metrics.Read(sample)
				if sample[0].Value.Kind() == metrics.KindUint64 && sample[0].Value.Uint64() > lim.maxMemory {
					trip(fmt.Sprintf("evaluation used more than --max-memory %s", formatBytes(lim.maxMemory)))
				}
			}
		}
	}()
	return func() {
		mu.Lock()
		defer mu.Unlock()
		if !stopped {
			stopped = true
			close(done)
			debug.SetMemoryLimit(softLimit)
		}
	}
}

// evaluatedFiles names the files an evaluation of paths works on: its CUE
// files (only CUE describes computation; the repo's CUE is evaluated in one
// piece), else all its config files.
func evaluatedFiles(paths []string) string {
	files, err := schema.Discover(paths)
	if err != nil || len(files) == 0 {
		return "the repo"
	}
	cue := slices.DeleteFunc(slices.Clone(files), func(f string) bool { return filepath.Ext(f) != ".cue" })
	if len(cue) > 0 {
		files = cue
	}
	const shown = 5
	if len(files) > shown {
		return strings.Join(files[:shown], ", ") + fmt.Sprintf(" and %d more files", len(files)-shown)
	}
	return strings.Join(files, ", ")
}

// parseBytes reads a size such as 512MiB, 3GiB, 2G or 1048576 (bytes).
func parseBytes(s string) (uint64, error) {
	units := []struct {
		suffix string
		mult   uint64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}}
	num, mult := strings.TrimSpace(s), uint64(1)
	for _, u := range units {
		if strings.HasSuffix(num, u.suffix) {
			num, mult = strings.TrimSuffix(num, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseUint(strings.TrimSpace(num), 10, 64)
	if err != nil || n > (1<<63)/mult {
		return 0, fmt.Errorf("%q: want a size such as 512MiB or 3GiB (0: no ceiling)", s)
	}
	return n * mult, nil
}

// formatBytes writes a size the way parseBytes reads it.
func formatBytes(n uint64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	}
	return strconv.FormatUint(n, 10) + "B"
}
