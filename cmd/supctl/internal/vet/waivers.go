package vet

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/supctl/supctl/policies"
	"github.com/supctl/supctl/schema"
)

type waiver struct {
	schema.Waiver
	path []string
	used bool
}

type waiverSet []*waiver

// badWaiver is a waiver whose path does not parse or whose expiry is not a
// date.
type badWaiver struct {
	index int
	field string // "path" or "expires"
	err   error
}

// parseWaivers parses the waivers' paths and expiry dates; a waiver whose
// path does not parse or whose expiry is not a calendar date (2099-02-30) is
// returned apart (it silences nothing).
func parseWaivers(ws []schema.Waiver) (waiverSet, []badWaiver) {
	out := make(waiverSet, 0, len(ws))
	var bad []badWaiver
	for i, w := range ws {
		p, err := ParsePath(w.Path)
		if err != nil {
			bad = append(bad, badWaiver{index: i, field: "path", err: fmt.Errorf("waiver path %q: %w", w.Path, err)})
			continue
		}
		if _, err := time.Parse(time.DateOnly, w.Expires); err != nil {
			bad = append(bad, badWaiver{index: i, field: "expires", err: fmt.Errorf("%q is not a date (YYYY-MM-DD)", w.Expires)})
			continue
		}
		out = append(out, &waiver{Waiver: w, path: p})
	}
	return out, bad
}

// match returns the live waiver that silences f, if any. A waiver covers
// findings of its rule at its path and below; an expired one covers nothing.
func (ws waiverSet) match(f policies.Finding, today string) *waiver {
	for _, w := range ws {
		if w.Rule != f.Rule || w.Expires < today || !hasPrefix(f.Path, w.path) {
			continue
		}
		w.used = true
		return w
	}
	return nil
}

func (ws waiverSet) unused() []schema.Waiver {
	var out []schema.Waiver
	for _, w := range ws {
		if !w.used {
			out = append(out, w.Waiver)
		}
	}
	return out
}

func hasPrefix(path, prefix []string) bool {
	if len(prefix) > len(path) {
		return false
	}
	for i := range prefix {
		if path[i] != prefix[i] {
			return false
		}
	}
	return true
}

// ParsePath reads a config path in CUE path syntax: labels separated by dots,
// a label either bare (sites, P01, 01A, my-site) or a double-quoted string
// ("sup01.corp.example.com"). List indexes may be written [0] or .0.
func ParsePath(s string) ([]string, error) {
	var out []string
	i := 0
	for i < len(s) {
		switch {
		case s[i] == '"':
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return nil, fmt.Errorf("unterminated quote at offset %d", i)
			}
			label, err := strconv.Unquote(s[i : j+1])
			if err != nil {
				return nil, fmt.Errorf("bad quoted label at offset %d: %w", i, err)
			}
			out = append(out, label)
			i = j + 1
		case s[i] == '[':
			j := strings.IndexByte(s[i:], ']')
			if j < 0 {
				return nil, fmt.Errorf("unterminated [ at offset %d", i)
			}
			idx := s[i+1 : i+j]
			if _, err := strconv.Atoi(idx); err != nil {
				return nil, fmt.Errorf("bad index [%s]", idx)
			}
			out = append(out, idx)
			i += j + 1
		default:
			j := strings.IndexAny(s[i:], ".[\"")
			if j < 0 {
				j = len(s) - i
			}
			if j == 0 {
				return nil, fmt.Errorf("empty label at offset %d", i)
			}
			out = append(out, s[i:i+j])
			i += j
		}
		if i < len(s) {
			switch s[i] {
			case '.':
				i++
				if i == len(s) {
					return nil, fmt.Errorf("trailing dot")
				}
			case '[':
			default:
				return nil, fmt.Errorf("expected . at offset %d", i)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("empty path")
	}
	return out, nil
}
