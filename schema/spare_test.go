package schema

import (
	"testing"
	"time"
)

// TestSpareParseNoDeadlock: a worker asking for the spare parse before the
// background parse has started must still get it. Regression: the goroutine
// sent on l.spare after reparse had cleared it (a send on a nil channel), so
// a large vet hung now and then.
func TestSpareParseNoDeadlock(t *testing.T) {
	dir := writeSites(t, 1000, -1)
	files, err := Discover([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		l := &loader{repo: &Repo{Files: files, Positions: newPositions()}}
		l.srcs = map[string][]byte{}
		for _, f := range files {
			if l.srcs[f], err = readConfig(f); err != nil {
				t.Fatal(err)
			}
		}
		l.startSpareParse()
		if l.spare == nil {
			t.Fatal("the repo is too small to start a spare parse: grow it")
		}
		done := make(chan parsed, 1)
		go func() { done <- l.reparse() }() // at once: before the spare goroutine runs, often
		select {
		case p := <-done:
			if len(p.docs) != 1 {
				t.Fatalf("run %d: %d documents, want 1", i, len(p.docs))
			}
		case <-time.After(20 * time.Second): // a deadlock guard, not a speed check
			t.Fatalf("run %d: reparse never returned (deadlock)", i)
		}
	}
}
