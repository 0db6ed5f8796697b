//go:build supdfake

package main

import (
	"context"
	"time"

	"github.com/supctl/supctl/reconcile/supd/windows"
	"github.com/supctl/supctl/reconcile/supd/windows/fakewin"
)

// In a supd built with -tags supdfake (the process tests only), --runner
// fake --fake-machine FILE runs the scripts on the fake Windows machine kept
// in FILE, which the test also edits by hand; --fake-delay D makes every
// script take D more (a slow server, for the benchmarks).
func init() {
	fakeRunner = func(path string, delay time.Duration) windows.Runner {
		return &slowRunner{r: &fakewin.File{Path: path}, delay: delay}
	}
}

type slowRunner struct {
	r     windows.Runner
	delay time.Duration
}

func (s *slowRunner) Run(ctx context.Context, script string) ([]byte, []byte, int, error) {
	if s.delay > 0 {
		t := time.NewTimer(s.delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, nil, 0, ctx.Err()
		}
	}
	return s.r.Run(ctx, script)
}
