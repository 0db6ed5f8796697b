package watch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/supctl/supctl/schema"
)

// repoWatcher reports changes to the config files under a repo's paths: it
// watches every directory of the tree the loader reads (new ones as they
// appear) and the parent directory of each path that names a file.
type repoWatcher struct {
	w     *fsnotify.Watcher
	log   *slog.Logger
	roots []string        // directory paths, absolute
	files map[string]bool // explicitly named files, absolute
	dirs  map[string]bool // directories watched recursively
}

// newRepoWatcher starts watching paths (default ".").
func newRepoWatcher(paths []string, log *slog.Logger) (*repoWatcher, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch: %w", err)
	}
	r := &repoWatcher{w: w, log: log, files: map[string]bool{}, dirs: map[string]bool{}}
	if len(paths) == 0 {
		paths = []string{"."}
	}
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("watch %s: %w", p, err)
		}
		info, err := os.Stat(abs)
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("watch: %w", err)
		}
		if !info.IsDir() {
			r.files[abs] = true
			if err := w.Add(filepath.Dir(abs)); err != nil {
				w.Close()
				return nil, fmt.Errorf("watch %s: %w", filepath.Dir(abs), err)
			}
			continue
		}
		r.roots = append(r.roots, abs)
		if err := r.addTree(abs); err != nil {
			w.Close()
			return nil, err
		}
	}
	return r, nil
}

// Close stops watching.
func (r *repoWatcher) Close() error { return r.w.Close() }

// skippedDir reports whether the loader skips a directory of this name.
func skippedDir(name string) bool { return strings.HasPrefix(name, ".") || name == "cue.mod" }

// addTree watches dir and every directory below it that the loader reads.
func (r *repoWatcher) addTree(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p != dir && errors.Is(err, fs.ErrNotExist) {
				return nil // removed while we walked
			}
			return fmt.Errorf("watch %s: %w", p, err)
		}
		if !d.IsDir() {
			return nil
		}
		if p != dir && skippedDir(d.Name()) {
			return filepath.SkipDir
		}
		if r.dirs[p] {
			return nil
		}
		if err := r.w.Add(p); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return filepath.SkipDir
			}
			return fmt.Errorf("watch %s: %w", p, err)
		}
		r.dirs[p] = true
		return nil
	})
}

// underRoot reports whether p lies in a recursively watched tree.
func (r *repoWatcher) underRoot(p string) bool {
	return r.dirs[filepath.Dir(p)]
}

// forget drops the watches of dir and of every directory below it.
func (r *repoWatcher) forget(dir string) {
	prefix := dir + string(filepath.Separator)
	for d := range r.dirs {
		if d == dir || strings.HasPrefix(d, prefix) {
			delete(r.dirs, d)
			_ = r.w.Remove(d) // already gone when the directory was deleted
		}
	}
}

// relevant reports whether ev may change what the loader reads, keeping the
// set of watched directories up to date on the way.
func (r *repoWatcher) relevant(ev fsnotify.Event) bool {
	p := ev.Name
	if ev.Op == fsnotify.Chmod {
		return false
	}
	if r.files[p] {
		return true
	}
	if r.dirs[p] && ev.Op.Has(fsnotify.Remove|fsnotify.Rename) {
		r.forget(p) // moved away or deleted: its files left the repo
		return true
	}
	if !r.underRoot(p) {
		return false
	}
	name := filepath.Base(p)
	if ev.Op.Has(fsnotify.Create) {
		if info, err := os.Lstat(p); err == nil && info.IsDir() {
			if skippedDir(name) {
				return false
			}
			if err := r.addTree(p); err != nil {
				r.log.Warn("watch a new directory", "dir", p, "err", err)
			}
			return true // files may have landed before the watch did
		}
	}
	return schema.IsConfigFile(name)
}

// run sends on changed once the repo has been quiet for debounce after a
// relevant change (and at the latest 10·debounce after the first of a
// stream of changes), until ctx ends or the watcher fails.
func (r *repoWatcher) run(ctx context.Context, debounce time.Duration, changed chan<- struct{}) error {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var first time.Time // first change not yet reported; zero when none
	maxWait := 10 * debounce
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-r.w.Events:
			if !ok {
				return nil
			}
			if !r.relevant(ev) {
				continue
			}
			r.log.Debug("repo changed", "path", ev.Name, "op", ev.Op.String())
			now := time.Now()
			if first.IsZero() {
				first = now
			}
			timer.Reset(min(debounce, max(0, maxWait-now.Sub(first))))
		case err, ok := <-r.w.Errors:
			if !ok {
				return nil
			}
			if !errors.Is(err, fsnotify.ErrEventOverflow) {
				return fmt.Errorf("watch: %w", err)
			}
			r.log.Warn("watch: events lost, rescanning the repo", "err", err)
			for _, root := range r.roots {
				if err := r.addTree(root); err != nil {
					r.log.Warn("watch: rescan", "dir", root, "err", err)
				}
			}
			if first.IsZero() {
				first = time.Now()
			}
			timer.Reset(debounce)
		case <-timer.C:
			first = time.Time{}
			select {
			case changed <- struct{}{}:
			default: // a change is already pending: the next vet reads it too
			}
		}
	}
}
