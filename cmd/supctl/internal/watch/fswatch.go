package watch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/supctl/supctl/schema"
)

// repoWatcher reports changes to the config files under a repo's paths: it
// watches every directory of the tree the loader reads (new ones as they
// appear) and the parent directory of each path that names a file. When a
// root directory (or a named file's directory) is deleted — an editor or a
// git checkout may delete and create it again — it is lost: the watcher
// watches its nearest existing ancestor, then each directory on the way
// back down as it appears, and watches the root again once it is back.
type repoWatcher struct {
	w        *fsnotify.Watcher
	log      *slog.Logger
	roots    []string        // directory paths, absolute
	files    map[string]bool // explicitly named files, absolute
	fileDirs map[string]bool // their directories
	dirs     map[string]bool // directories watched recursively
	lost     map[string]bool // roots and fileDirs that are gone
	anchors  map[string]bool // ancestors watched while a root is lost
	// onLost, when set, is told whether part of the tree is lost, on every
	// change of that.
	onLost func(lost bool)
}

// newRepoWatcher starts watching paths (default ".").
func newRepoWatcher(paths []string, log *slog.Logger) (*repoWatcher, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch: %w", err)
	}
	r := &repoWatcher{w: w, log: log, files: map[string]bool{}, fileDirs: map[string]bool{},
		dirs: map[string]bool{}, lost: map[string]bool{}, anchors: map[string]bool{}}
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
			r.fileDirs[filepath.Dir(abs)] = true
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
	if (r.dirs[p] || r.fileDirs[p]) && ev.Op.Has(fsnotify.Remove|fsnotify.Rename) {
		r.forget(p) // moved away or deleted: its files left the repo
		if r.isBase(p) {
			r.lose(p)
		}
		return true
	}
	if r.anchors[p] && ev.Op.Has(fsnotify.Remove|fsnotify.Rename) {
		delete(r.anchors, p) // an ancestor went too: watch further up
		_ = r.w.Remove(p)
		r.descend()
		return false
	}
	if len(r.lost) > 0 && ev.Op.Has(fsnotify.Create) && r.anchors[filepath.Dir(p)] && r.onWayBack(p) {
		r.descend()
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

// isBase reports whether dir is a root or a named file's directory.
func (r *repoWatcher) isBase(dir string) bool {
	return r.fileDirs[dir] || slices.Contains(r.roots, dir)
}

// lose records that base is gone and watches its way back.
func (r *repoWatcher) lose(base string) {
	r.log.Warn("watch: a watched directory is gone; waiting for it to come back", "dir", base)
	r.lost[base] = true
	r.report()
	r.descend()
}

// onWayBack reports whether p is a lost base or a directory above one.
func (r *repoWatcher) onWayBack(p string) bool {
	for b := range r.lost {
		if b == p || strings.HasPrefix(b, p+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// descend watches, for each lost base, the deepest directory of its path
// that exists now, and watches the base again when it exists: a directory
// created before its watch was added is found this way too.
func (r *repoWatcher) descend() {
	for b := range r.lost {
		if info, err := os.Stat(b); err == nil && info.IsDir() {
			if err := r.recover(b); err != nil {
				r.log.Warn("watch: a directory came back but cannot be watched", "dir", b, "err", err)
				continue
			}
			delete(r.lost, b)
			r.log.Info("watch: a watched directory is back", "dir", b)
			continue
		}
		for d := filepath.Dir(b); ; d = filepath.Dir(d) {
			if r.anchors[d] {
				break
			}
			if err := r.w.Add(d); err == nil {
				r.anchors[d] = true
				break
			}
			if d == filepath.Dir(d) {
				r.log.Warn("watch: no directory above a lost one can be watched", "dir", b)
				break
			}
		}
	}
	r.report()
}

// recover watches base again: the tree of a root, the directory of a named file.
func (r *repoWatcher) recover(base string) error {
	if r.fileDirs[base] {
		return r.w.Add(base)
	}
	return r.addTree(base)
}

// report tells onLost whether part of the tree is lost.
func (r *repoWatcher) report() {
	if r.onLost != nil {
		r.onLost(len(r.lost) > 0)
	}
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
