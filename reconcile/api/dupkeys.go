package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// DuplicateKeyError is a JSON object holding the same key twice. Keys are
// compared as encoding/json matches them to struct fields: after unescaping
// and without regard to case, so {"op":…,"OP":…} is a duplicate too (the
// decoder would silently keep the last one).
type DuplicateKeyError struct {
	Key   string // the second spelling, unescaped
	First string // the first spelling, unescaped
	Path  string // where the object is, such as ".args" ("" for the top level)
	// Line and Column (1-based, column in bytes) locate the second key.
	Line, Column int
}

// Error implements error.
func (e *DuplicateKeyError) Error() string {
	where := "the top-level object"
	if e.Path != "" {
		where = e.Path
	}
	also := ""
	if e.First != e.Key {
		also = fmt.Sprintf(" (as %q)", e.First)
	}
	return fmt.Sprintf("line %d, column %d: duplicate key %q in %s: it was already written%s", e.Line, e.Column, e.Key, where, also)
}

// checkDuplicateKeys returns a *DuplicateKeyError for the first key written
// twice in one object of data, a valid JSON value.
func checkDuplicateKeys(data []byte) error {
	type frame struct {
		object  bool
		wantKey bool              // in an object: the next string is a key
		keys    map[string]string // folded key → first spelling
		path    string
		key     string // the last key read (object) or the next index (array)
		index   int
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []*frame
	// child names the value about to be read inside the top frame.
	child := func() string {
		if len(stack) == 0 {
			return ""
		}
		f := stack[len(stack)-1]
		if f.object {
			return f.path + "." + f.key
		}
		return f.path + "[" + strconv.Itoa(f.index) + "]"
	}
	// valueDone moves the top frame past one value.
	valueDone := func() {
		if len(stack) == 0 {
			return
		}
		if f := stack[len(stack)-1]; f.object {
			f.wantKey = true
		} else {
			f.index++
		}
	}
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil // io.EOF: data was checked to be one valid value
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				stack = append(stack, &frame{object: t == '{', wantKey: t == '{', path: child(), keys: map[string]string{}})
			default:
				stack = stack[:len(stack)-1]
				valueDone()
			}
			continue
		case string:
			if f := stack; len(f) > 0 && f[len(f)-1].object && f[len(f)-1].wantKey {
				top := f[len(f)-1]
				folded := foldKey(t)
				if first, dup := top.keys[folded]; dup {
					line, col := lineCol(data, keyStart(data, start))
					return &DuplicateKeyError{Key: t, First: first, Path: top.path, Line: line, Column: col}
				}
				top.keys[folded] = t
				top.key, top.wantKey = t, false
				continue
			}
		}
		valueDone()
	}
}

// keyStart returns the offset of the quote opening the token read from off:
// past white space and the ',' or ':' before it.
func keyStart(data []byte, off int64) int {
	i := int(off)
	for i < len(data) && strings.IndexByte(" \t\r\n,:", data[i]) >= 0 {
		i++
	}
	return i
}

// lineCol returns the 1-based line and byte column of offset off in data.
func lineCol(data []byte, off int) (line, col int) {
	before := data[:off]
	line = bytes.Count(before, []byte{'\n'}) + 1
	return line, off - (bytes.LastIndexByte(before, '\n') + 1) + 1
}

// foldKey maps every rune of s to the smallest rune of its case-folding
// orbit, so that two keys encoding/json would match to one field fold alike.
func foldKey(s string) string {
	return strings.Map(func(r rune) rune {
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			m = min(m, f)
		}
		return m
	}, s)
}
