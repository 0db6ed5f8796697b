// Package schema holds the embedded CUE schema of a supctl config repo and
// loads a repo into a concrete Config with a position index (SPEC §2). It
// also derives each server's desired concrete state from the config.
package schema

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"
	cuejson "cuelang.org/go/encoding/json"
	cueyaml "cuelang.org/go/encoding/yaml"

	"github.com/supctl/supctl/schema/diag"
)

//go:embed supctl.cue
var source []byte

// SchemaFile is the name under which the embedded schema is compiled; positions
// in it are never reported to users.
const SchemaFile = "schema/supctl.cue"

// Problem rules: a file that cannot be parsed, and a value the schema rejects.
const (
	RuleSyntax = "SYNTAX"
	RuleSchema = "SCHEMA"
)

// ErrNoConfig is returned when the given paths hold no config file.
var ErrNoConfig = errors.New("no config files (*.cue, *.json, *.yaml, *.yml)")

// ErrPath is returned (wrapped) when a given path does not exist or cannot be read.
var ErrPath = errors.New("path not found")

// Problem is a syntax or schema error at a user position.
type Problem struct {
	Rule string   // RuleSyntax or RuleSchema
	Path []string // config path, nil for syntax errors
	Pos  Pos
	Msg  string
	// Detail is the parser's or CUE's own message, when Msg says more.
	Detail string
	// Known are the quoted words of Msg that come from the schema, not from
	// the user's files (see ConfineQuotes).
	Known []string
}

// Repo is a loaded config repo.
type Repo struct {
	// Files are the config files read, in the order they were unified.
	Files []string
	// Config is the concrete config; nil when Problems is not empty.
	Config *Config
	// Positions maps config paths to where the user wrote them.
	Positions *Positions
	// Problems are the syntax and schema errors, sorted by position.
	Problems []Problem

	srcs map[string][]byte // the files read, by name (see Line)
}

// Load reads every config file under paths (SPEC §2), unifies them, applies
// #Config and decodes the result. A missing path or an empty repo is an
// error; syntax and schema errors are Problems in the returned Repo.
func Load(paths []string) (*Repo, error) {
	t, err := discover(paths)
	if err != nil {
		return nil, err
	}
	return loadFiles(t), nil
}

// Discover lists the config files under paths, sorted, skipping hidden
// entries, cue.mod/ and supctl.endpoints.* files. Explicitly named files are
// always included.
func Discover(paths []string) ([]string, error) {
	t, err := discover(paths)
	return t.files, err
}

// tree is what discover found under a repo's paths.
type tree struct {
	files      []string          // the config files, sorted
	roots      map[string]string // the root each file was found under (see outsideRoot)
	unreadable []error           // the directories below a root that cannot be read
}

// discover is Discover, also returning the root each file was found under
// (the given directory, or an explicitly named file's own directory) and
// the subdirectories it could not read.
func discover(paths []string) (tree, error) {
	if len(paths) == 0 {
		paths = []string{"."}
	}
	t := tree{roots: map[string]string{}}
	add := func(p, root string) {
		if _, seen := t.roots[p]; !seen {
			t.roots[p] = root
			t.files = append(t.files, p)
		}
	}
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return t, fmt.Errorf("%s: %w", root, ErrPath)
			}
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return t, fmt.Errorf("%s: %w (%v)", root, ErrPath, err)
		}
		if !info.IsDir() {
			add(filepath.Clean(root), filepath.Dir(root))
			continue
		}
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if p != root && d != nil && d.IsDir() {
					t.unreadable = append(t.unreadable, err) // a finding, not the end of the walk
					return filepath.SkipDir
				}
				return err
			}
			name := d.Name()
			if p != root && (strings.HasPrefix(name, ".") || (d.IsDir() && name == "cue.mod")) {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() || !IsConfigFile(name) {
				return nil
			}
			add(p, root)
			return nil
		})
		if err != nil {
			return t, fmt.Errorf("walk %s: %w", root, err)
		}
	}
	if len(t.files) == 0 {
		return t, fmt.Errorf("%s: %w", strings.Join(paths, ", "), ErrNoConfig)
	}
	sort.Strings(t.files)
	return t, nil
}

// IsConfigFile reports whether a file name is one supctl reads.
func IsConfigFile(name string) bool {
	if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "supctl.endpoints.") {
		return false
	}
	switch filepath.Ext(name) {
	case ".cue", ".json", ".yaml", ".yml":
		return true
	}
	return false
}

// LoadFiles loads exactly the given files (see Load); each is confined to
// its own directory.
func LoadFiles(files []string) (*Repo, error) {
	t := tree{files: files, roots: make(map[string]string, len(files))}
	for _, f := range files {
		t.roots[f] = filepath.Dir(f)
	}
	return loadFiles(t), nil
}

// loadFiles loads t's files, each confined to its root (see outsideRoot);
// an unreadable directory is a problem.
func loadFiles(t tree) *Repo {
	l := &loader{repo: &Repo{Files: t.files, Positions: newPositions()}, roots: t.roots}
	for _, err := range t.unreadable {
		l.problem(RuleSyntax, nil, unreadableDirPos(err), unreadableDirMsg(err))
	}
	l.run()
	return l.repo
}

type loader struct {
	repo  *Repo
	roots map[string]string // the root each file must stay inside
	srcs  map[string][]byte // file contents, by name
}

func (l *loader) problem(rule string, path []string, pos Pos, msg string) {
	l.repo.Problems = append(l.repo.Problems, Problem{Rule: rule, Path: path, Pos: pos, Msg: msg})
}

func (l *loader) run() {
	l.srcs = make(map[string][]byte, len(l.repo.Files))
	for _, name := range l.repo.Files {
		var src []byte
		var err error
		if root := l.roots[name]; outsideRoot(name, root) {
			err = errOutsideRoot(root)
		} else {
			src, err = readConfig(name)
		}
		if err != nil {
			l.problem(RuleSyntax, nil, readErrPos(name, err), err.Error())
			continue
		}
		l.srcs[name] = yamlLineBreaks(name, stripJSONBOM(name, src))
	}
	l.repo.srcs = l.srcs
	parsed := l.parse()
	if len(l.repo.Problems) > 0 {
		l.sortProblems()
		return
	}
	l.evaluate(parsed)
	l.sortProblems()
}

// parsed is the syntax of a repo: its CUE files (one package) and the
// documents of its JSON and YAML files.
type parsed struct {
	cueFiles []*ast.File
	docs     []ast.Expr
}

// parse parses every file read, records the positions of what they write
// and reports syntax problems.
func (l *loader) parse() parsed {
	var p parsed
	idx := l.repo.Positions
	pkg, pkgFile := "", ""
	for _, name := range l.repo.Files {
		src, ok := l.srcs[name]
		if !ok {
			continue
		}
		switch filepath.Ext(name) {
		case ".cue":
			f, err := parser.ParseFile(name, src, parser.ParseComments)
			if err != nil {
				l.syntaxErrors(name, err)
				continue
			}
			if pn := f.PackageName(); pkgFile == "" {
				pkg, pkgFile = pn, name
			} else if pn != pkg {
				l.problem(RuleSyntax, nil, posOf(name, f.Pos()), fmt.Sprintf("package %q differs from package %q of %s: CUE files of a repo must share one package", pn, pkg, pkgFile))
				continue
			}
			idx.indexFile(f)
			p.cueFiles = append(p.cueFiles, f)
		case ".json":
			x, err := cuejson.Extract(name, src)
			if err != nil {
				l.syntaxErrors(name, err)
				continue
			}
			idx.indexExpr(nil, x)
			l.repo.Problems = append(l.repo.Problems, docProblems(name, src, false, x)...)
			p.docs = append(p.docs, x)
		default: // .yaml, .yml
			if s, ok := diag.YAMLAliasLoop(src); ok {
				l.problem(RuleSyntax, nil, Pos{File: name, Line: s.Line, Col: s.Col}, s.Msg)
				continue
			}
			d := cueyaml.NewDecoder(name, bytes.NewReader(src))
			for {
				x, err := d.Extract()
				if err == io.EOF {
					break
				}
				if err != nil {
					if p, ok := yamlSiteCodeSyntax(name, src, err); ok {
						l.repo.Problems = append(l.repo.Problems, p)
						break
					}
					l.syntaxErrors(name, err)
					break
				}
				if isNullDoc(x) {
					continue // an empty document ("---" at the end, or between two) contributes nothing
				}
				idx.indexExpr(nil, x)
				l.repo.Problems = append(l.repo.Problems, docProblems(name, src, true, x)...)
				p.docs = append(p.docs, x)
			}
		}
	}
	return p
}

// MaxFileSize is the size of the largest config file supctl reads. Larger
// files are reported rather than read: evaluating one costs gigabytes of
// memory (an 11 MB YAML file of 17,576 sites takes 4.5 GB), and no real
// hierarchy needs one (1,000 sites take about 0.7 MB); split such a repo.
const MaxFileSize = 8 << 20

// readError is a file that cannot be used as config text, at the place the
// problem is (line 1, col 1 when the whole file is at fault).
type readError struct {
	line, col int
	msg       string
}

func (e *readError) Error() string { return e.msg }

// readErrPos is where a readConfig error points.
func readErrPos(name string, err error) Pos {
	var re *readError
	if errors.As(err, &re) && re.line >= 1 {
		return Pos{File: name, Line: re.line, Col: max(re.col, 1)}
	}
	return Pos{File: name, Line: 1, Col: 1}
}

// readConfig reads a config file and rejects what is not config text: not a
// regular file, too large, binary, not UTF-8, or empty.
func readConfig(name string) ([]byte, error) {
	// Stat first: opening a FIFO would block, and a huge file is not read.
	info, err := os.Stat(name)
	if err == nil && !info.Mode().IsRegular() {
		if info.IsDir() {
			return nil, &readError{msg: "is a directory, not a config file"}
		}
		kind := "a special file"
		switch t := info.Mode().Type(); {
		case t&fs.ModeNamedPipe != 0:
			kind = "a named pipe"
		case t&fs.ModeSocket != 0:
			kind = "a socket"
		case t&fs.ModeDevice != 0:
			kind = "a device"
		}
		return nil, &readError{msg: fmt.Sprintf("is %s, not a regular file", kind)}
	}
	if err == nil && info.Size() > MaxFileSize {
		return nil, &readError{msg: fmt.Sprintf("file too large: %.1f MiB, more than the %d MiB a config file may have (split it into several files)", float64(info.Size())/(1<<20), MaxFileSize>>20)}
	}
	var src []byte
	if err == nil {
		src, err = os.ReadFile(name)
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &readError{msg: fmt.Sprintf("cannot read file: %v", err)}
	}
	if len(src) > MaxFileSize { // grew since the stat
		return nil, &readError{msg: fmt.Sprintf("file too large: more than the %d MiB a config file may have (split it into several files)", MaxFileSize>>20)}
	}
	if i := bytes.IndexByte(src, 0); i >= 0 {
		line, col := lineCol(src, i)
		return nil, &readError{line: line, col: col, msg: fmt.Sprintf("binary content (NUL byte at offset %d): not a config file", i)}
	}
	if !utf8.Valid(src) {
		line, col := lineCol(src, firstInvalidUTF8(src))
		return nil, &readError{line: line, col: col, msg: fmt.Sprintf("invalid UTF-8 on line %d: config files must be UTF-8 text", line)}
	}
	if len(bytes.TrimSpace(src)) == 0 {
		return nil, &readError{msg: "empty file: a config file must hold a value (write {} or delete the file)"}
	}
	return src, nil
}

// lineCol returns the 1-based line and byte column of offset in src.
func lineCol(src []byte, offset int) (line, col int) {
	before := src[:offset]
	line = 1 + bytes.Count(before, []byte("\n"))
	return line, offset - (bytes.LastIndexByte(before, '\n') + 1) + 1
}

// isNullDoc reports whether a YAML document is empty or null.
func isNullDoc(x ast.Expr) bool {
	lit, ok := x.(*ast.BasicLit)
	return ok && lit.Kind == token.NULL
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// syntaxErrors reports the syntax errors of a file. A YAML file's error is
// placed by a second parser (diag.YAML), since CUE's YAML decoder gives at
// most the line where the enclosing mapping starts; JSON and CUE errors
// carry their position.
func (l *loader) syntaxErrors(name string, err error) {
	src := l.srcs[name]
	if ext := filepath.Ext(name); ext == ".yaml" || ext == ".yml" {
		if s, ok := diag.YAML(src); ok {
			l.repo.Problems = append(l.repo.Problems, Problem{Rule: RuleSyntax, Pos: Pos{File: name, Line: s.Line, Col: s.Col}, Msg: s.Msg, Detail: err.Error()})
			return
		}
	}
	for _, e := range cueerrors.Errors(err) {
		msg := cleanMsg(e)
		if msg == "" {
			msg = e.Error() // not a CUE error: CUE's YAML decoder's
		}
		var je *json.SyntaxError
		if errors.As(e, &je) {
			msg = je.Error() // CUE wraps the JSON decoder's error in "invalid JSON for file"
		}
		p := Problem{Rule: RuleSyntax, Pos: Pos{File: name, Line: 1, Col: 1}, Msg: msg}
		if line, rest, ok := yamlDecoderError(name, msg); ok {
			p.Pos.Line, p.Msg = line, rest
		}
		if tp := e.Position(); tp.IsValid() {
			p.Pos = posOf(name, tp)
			if hint, ok := diag.JSON(src, tp.Offset()); ok && je != nil {
				p.Msg, p.Detail = hint, msg
			}
		}
		l.repo.Problems = append(l.repo.Problems, p)
	}
}

// yamlDecoderError splits an error of CUE's YAML decoder that the second
// parser did not find (an alias expanding too far, an unknown anchor): the
// decoder gives no position, only its text, "FILE:LINE: message" or "FILE:
// message" (pinned by TestYAMLDecoderErrorShape, to fail on an upgrade that
// changes it). Only the position is read from it, never the kind of error.
func yamlDecoderError(name, msg string) (line int, rest string, ok bool) {
	rest, ok = strings.CutPrefix(msg, name+":")
	if !ok {
		return 0, "", false
	}
	digits, after, found := strings.Cut(rest, ": ")
	if n, err := strconv.Atoi(digits); found && err == nil && n >= 1 {
		return n, after, true
	}
	return 1, strings.TrimPrefix(rest, " "), true
}

// cueErrors turns CUE evaluation errors into problems: one per config path,
// at the first place in the user's files the errors name (never the
// schema's), with the message diag makes from the path, the user's value and
// the schema (sch and raw; zero values when there is no schema to ask) and
// CUE's own messages as the detail.
func (l *loader) cueErrors(rule string, err error, sch, raw cue.Value) {
	type group struct {
		path []string
		pos  Pos
		ok   bool
		msgs []string
	}
	byKey := map[string]*group{}
	var order []*group
	for _, e := range cueerrors.Errors(err) {
		path := e.Path()
		if len(path) > 0 && path[0] == "#Config" {
			path = path[1:]
		}
		path = unquotePath(path)
		key := strings.Join(path, "\x00")
		g := byKey[key]
		if g == nil {
			g = &group{path: path}
			byKey[key] = g
			order = append(order, g)
		}
		if !g.ok {
			g.pos, g.ok = l.userPos(e)
		}
		if msg := cleanMsg(e); !slices.Contains(g.msgs, msg) {
			g.msgs = append(g.msgs, msg)
		}
	}
	placed := 0
	for _, g := range order {
		if hasChildGroup(g.path, byKey) {
			continue // a summary (an empty disjunction) of the errors below it
		}
		if !g.ok {
			g.pos, g.ok = l.repo.Positions.Lookup(g.path)
		}
		if !g.ok {
			continue
		}
		placed++
		var m diag.Message
		explained := false
		if sch.Exists() && len(g.path) > 0 {
			var keys []string
			if n := len(g.path); n >= 2 && g.path[n-2] == "virtualRoots" {
				keys = VirtualRoots // #VRoot, a pattern of the schema
			}
			m, explained = diag.Schema(sch, raw, selectors(g.path), g.path, FormatPath(g.path), keys)
		}
		msg := m.Text
		if !explained {
			// CUE lists a disjunction's summary ("2 errors in empty
			// disjunction") before its causes: the last message is a cause
			// (pinned by TestCUEDisjunctionErrorOrder).
			msg = g.msgs[len(g.msgs)-1]
			if len(g.path) > 0 {
				msg = FormatPath(g.path) + ": " + msg
			}
		}
		l.repo.Problems = append(l.repo.Problems, Problem{Rule: rule, Path: g.path, Pos: g.pos, Msg: msg, Detail: strings.Join(g.msgs, "; "), Known: m.Known})
	}
	if placed == 0 {
		l.problem(rule, nil, Pos{File: l.repo.Files[0], Line: 1, Col: 1}, err.Error())
	}
}

// hasChildGroup reports whether groups (keyed by joined path) hold a path
// below path.
func hasChildGroup[G any](path []string, groups map[string]G) bool {
	prefix := strings.Join(path, "\x00") + "\x00"
	for k := range groups {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// userPos returns the first position of e that lies in a user file.
func (l *loader) userPos(e cueerrors.Error) (Pos, bool) {
	for _, p := range cueerrors.Positions(e) {
		if p.IsValid() && p.Filename() != SchemaFile && p.Filename() != "" {
			return posOf(p.Filename(), p), true
		}
	}
	return Pos{}, false
}

// cleanMsg renders a CUE error without its path prefix.
func cleanMsg(e cueerrors.Error) string {
	format, args := e.Msg()
	return fmt.Sprintf(format, args...)
}

func unquotePath(path []string) []string {
	out := make([]string, len(path))
	for i, p := range path {
		if len(p) >= 2 && p[0] == '"' && p[len(p)-1] == '"' {
			if s, err := unquote(p); err == nil {
				p = s
			}
		}
		out[i] = p
	}
	return out
}

func posOf(name string, p token.Pos) Pos {
	if !p.IsValid() {
		return Pos{File: name, Line: 1, Col: 1}
	}
	if f := p.Filename(); f != "" {
		name = f
	}
	col := p.Column()
	if col < 1 {
		col = 1
	}
	return Pos{File: name, Line: max(p.Line(), 1), Col: col}
}

func (l *loader) sortProblems() {
	sort.SliceStable(l.repo.Problems, func(i, j int) bool {
		return l.repo.Problems[i].Pos.Less(l.repo.Problems[j].Pos)
	})
}
