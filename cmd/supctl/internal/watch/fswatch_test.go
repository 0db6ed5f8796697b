package watch

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

// patience bounds every wait for something that must happen; it is a guard
// against a hang, never an assertion on speed.
const patience = 20 * time.Second

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// startWatcher watches dir and returns the channel of debounced changes.
func startWatcher(t *testing.T, paths ...string) (*repoWatcher, <-chan struct{}) {
	t.Helper()
	rw, err := newRepoWatcher(paths, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return rw, runWatcher(t, rw)
}

// runWatcher runs rw until the test ends and returns its channel of
// debounced changes.
func runWatcher(t *testing.T, rw *repoWatcher) <-chan struct{} {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	changed := make(chan struct{}, 1)
	done := make(chan error, 1)
	go func() { done <- rw.run(ctx, 20*time.Millisecond, changed) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
		rw.Close()
	})
	return changed
}

func waitChange(t *testing.T, changed <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-changed:
	case <-time.After(patience):
		t.Fatalf("%s: no change reported", what)
	}
}

// settle drains changed until it has been quiet for ten debounce periods,
// so that a signal left over from the previous step cannot pass for the
// next step's.
func settle(changed <-chan struct{}) {
	for {
		select {
		case <-changed:
		case <-time.After(200 * time.Millisecond):
			return
		}
	}
}

func TestRepoWatcherSeesEdits(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "site.yaml"), "a: 1\n")
	_, changed := startWatcher(t, dir)

	settle(changed)
	writeFile(t, filepath.Join(dir, "site.yaml"), "a: 2\n")
	waitChange(t, changed, "in-place write")

	settle(changed)
	// An editor's save: write a temporary file, rename it over the original.
	tmp := filepath.Join(dir, ".site.yaml.swp")
	writeFile(t, tmp, "a: 3\n")
	if err := os.Rename(tmp, filepath.Join(dir, "site.yaml")); err != nil {
		t.Fatal(err)
	}
	waitChange(t, changed, "rename-and-replace save")

	settle(changed)
	// A new file in a new directory: the directory is watched from then on.
	writeFile(t, filepath.Join(dir, "sites", "p02", "site.cue"), "b: 1\n")
	waitChange(t, changed, "new file in a new directory")
	settle(changed)
	writeFile(t, filepath.Join(dir, "sites", "p02", "site.cue"), "b: 2\n")
	waitChange(t, changed, "edit in the new directory")

	settle(changed)
	if err := os.RemoveAll(filepath.Join(dir, "sites")); err != nil {
		t.Fatal(err)
	}
	waitChange(t, changed, "directory removed")
}

func TestRepoWatcherNamedFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "site.json")
	writeFile(t, file, "{}")
	rw, changed := startWatcher(t, file)
	if rw.relevant(fsnotify.Event{Name: filepath.Join(dir, "other.json"), Op: fsnotify.Write}) {
		t.Error("a sibling of a named file counts as a change")
	}
	writeFile(t, file, `{"a": 1}`)
	waitChange(t, changed, "named file written")
}

// The loader's filter, applied to events: hidden entries, cue.mod, the
// endpoints file and other extensions change nothing.
func TestRepoWatcherIgnoresWhatTheLoaderSkips(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	rw, err := newRepoWatcher([]string{dir}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	for _, mk := range []string{".git", "cue.mod"} {
		if err := os.Mkdir(filepath.Join(dir, mk), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ev := func(rel string, op fsnotify.Op) fsnotify.Event {
		return fsnotify.Event{Name: filepath.Join(dir, rel), Op: op}
	}
	for _, tc := range []struct {
		ev   fsnotify.Event
		want bool
	}{
		{ev("site.cue", fsnotify.Write), true},
		{ev("site.yml", fsnotify.Create), true},
		{ev("sub/site.json", fsnotify.Remove), true},
		{ev("site.cue", fsnotify.Rename), true},
		{ev("sub", fsnotify.Remove), true},
		{ev("site.cue", fsnotify.Chmod), false},
		{ev(".site.cue.swp", fsnotify.Write), false},
		{ev(".hidden.cue", fsnotify.Create), false},
		{ev("site.cue~", fsnotify.Write), false},
		{ev("README.md", fsnotify.Write), false},
		{ev("supctl.endpoints.yaml", fsnotify.Write), false},
		{ev(".git", fsnotify.Create), false},
		{ev("cue.mod", fsnotify.Create), false},
		{ev(".git/config.json", fsnotify.Write), false},
		{ev("elsewhere/x.cue", fsnotify.Write), false},
	} {
		if got := rw.relevant(tc.ev); got != tc.want {
			t.Errorf("%s %s: relevant = %v, want %v", tc.ev.Op, tc.ev.Name, got, tc.want)
		}
	}
	if rw.dirs[filepath.Join(dir, ".git")] || rw.dirs[filepath.Join(dir, "cue.mod")] {
		t.Error("a skipped directory is watched")
	}
}

// TestRepoWatcherRootComesBack: a root deleted and created again (an
// editor, a git checkout of a parent) is watched again, also when its
// parent went too; the watcher says it lost the tree meanwhile.
// Regression: later edits were never seen.
func TestRepoWatcherRootComesBack(t *testing.T) {
	parent := filepath.Join(t.TempDir(), "checkout")
	repo := filepath.Join(parent, "repo")
	writeFile(t, filepath.Join(repo, "sub", "site.yaml"), "a: 1\n")
	rw, err := newRepoWatcher([]string{repo}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	var lost atomic.Bool
	rw.onLost = lost.Store
	changed := runWatcher(t, rw)

	for _, gone := range []string{repo, parent} {
		settle(changed)
		if err := os.RemoveAll(gone); err != nil {
			t.Fatal(err)
		}
		waitChange(t, changed, "root deleted")
		eventually(t, "the watcher says it lost the tree", lost.Load)

		writeFile(t, filepath.Join(repo, "sub", "site.yaml"), "a: 2\n")
		waitChange(t, changed, "root created again")
		eventually(t, "the watcher has the tree again", func() bool { return !lost.Load() })

		settle(changed)
		writeFile(t, filepath.Join(repo, "sub", "site.yaml"), "a: 3\n")
		waitChange(t, changed, "an edit after "+filepath.Base(gone)+" came back")
		settle(changed)
		writeFile(t, filepath.Join(repo, "new.yaml"), "b: 1\n")
		waitChange(t, changed, "a new file at the root after "+filepath.Base(gone)+" came back")
	}
}
