package schema

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// A repo is hostile input (a pull request): what supctl reads and what its
// findings quote stay inside the repo. A config file whose real path (all
// symbolic links resolved) leaves the root it was found under is not read,
// and a finding quotes at most the offending line of a file of the repo.

// outsideRoot reports whether the real path of file leaves the real path of
// root. A file that cannot be resolved (a dangling link) is not outside:
// reading it fails with its own message.
func outsideRoot(file, root string) bool {
	realFile, err := filepath.EvalSymlinks(file)
	if err != nil {
		return false
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return true
	}
	if realFile, err = filepath.Abs(realFile); err != nil {
		return true
	}
	if realRoot, err = filepath.Abs(realRoot); err != nil {
		return true
	}
	rel, err := filepath.Rel(realRoot, realFile)
	return err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// errOutsideRoot is the read problem of a file outside its root; it names
// the link only, never where it leads or what is there.
func errOutsideRoot(root string) error {
	return &readError{msg: fmt.Sprintf("is a symbolic link leading outside %s: not read (config files must live inside the repo)", root)}
}

// Line returns line n (1-based) of a config file the repo read, without
// its line break; false when the file was not read or has no such line.
func (r *Repo) Line(file string, n int) (string, bool) {
	src, ok := r.srcs[file]
	if !ok || n < 1 {
		return "", false
	}
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(src, '\n')
		if j < 0 {
			return "", false
		}
		src = src[j+1:]
	}
	if j := bytes.IndexByte(src, '\n'); j >= 0 {
		src = src[:j]
	}
	return strings.TrimSuffix(string(src), "\r"), true
}

// ConfineQuotes shortens every double-quoted literal of msg that is not
// written on line (the offending line of the finding) to its longest prefix
// that is, followed by "…": a YAML scalar folded over several lines, or a
// multi-line string, is quoted no further than the offending line. The
// known literals (the schema's words, see Problem.Known) are kept whole.
func ConfineQuotes(msg, line string, known ...string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(msg, '"')
		if i < 0 {
			break
		}
		lit, err := strconv.QuotedPrefix(msg[i:])
		if err != nil {
			b.WriteString(msg[:i+1])
			msg = msg[i+1:]
			continue
		}
		b.WriteString(msg[:i])
		msg = msg[i+len(lit):]
		s, err := strconv.Unquote(lit)
		if err != nil || strings.Contains(line, s) || slices.Contains(known, s) {
			b.WriteString(lit)
			continue
		}
		n := 0 // longest prefix of s written on line
		for k := range s {
			if k > 0 && !strings.Contains(line, s[:k]) {
				break
			}
			n = k
		}
		b.WriteString(strconv.Quote(s[:n] + "…"))
	}
	b.WriteString(msg)
	return b.String()
}
