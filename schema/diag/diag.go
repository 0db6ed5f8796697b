// Package diag turns schema and syntax errors into messages that say what
// to write instead. It decides from the error's path, the user's value and
// what the schema says of the field (its kind, enum, bounds, pattern, the
// fields of a closed struct), never from the wording of another library's
// message.
package diag

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
)

// Message is an explanation for a user.
type Message struct {
	Text string
	// Known are the quoted words of Text that come from the schema (allowed
	// values, field names, patterns) or are cleaned from the user's value,
	// rather than quoted from the user's file.
	Known []string
}

// Schema explains why the user's value at path fails the schema: sch is the
// schema's root definition (#Config), user the user's unified value before
// the schema, sels the path's selectors into user, labels its labels and
// name how messages name it (sites.P01.mode); keys are the keys the parent
// allows when the schema lists them as a pattern rather than as fields
// ([#VRoot]: …). It returns false when it cannot tell more than CUE does.
func Schema(sch, user cue.Value, sels []cue.Selector, labels []string, name string, keys []string) (Message, bool) {
	if len(sels) == 0 || len(sels) != len(labels) {
		return Message{}, false
	}
	key := labels[len(labels)-1]
	s, ok := lookup(sch, labels)
	if !ok {
		parent, ok := lookup(sch, labels[:len(labels)-1])
		if !ok {
			return Message{}, false
		}
		return unknownField(parent, name, key, keys)
	}
	u := user.LookupPath(cue.MakePath(sels...))
	if !u.Exists() {
		return Message{Text: fmt.Sprintf("%s is required", name)}, true
	}
	if u.Err() != nil || !u.IsConcrete() {
		return Message{}, false // the user's files disagree, or the value is not data: CUE says it best
	}
	return value(name, key, s, u)
}

// lookup follows labels through the schema: regular and optional fields,
// then pattern constraints ([string]: …) and list elements.
func lookup(v cue.Value, labels []string) (cue.Value, bool) {
	for _, l := range labels {
		next := cue.Value{}
		if v.IncompleteKind() == cue.ListKind {
			if _, err := strconv.Atoi(l); err == nil {
				next = v.LookupPath(cue.MakePath(cue.AnyIndex))
			}
		} else {
			next = field(v, l)
		}
		if !next.Exists() {
			return cue.Value{}, false
		}
		v = next
	}
	return v, true
}

// field returns the schema of field l of struct v: a regular or optional
// field, a pattern constraint, or, when v is a choice of structs
// (#Schedule), the field of the first choice that has it, constraints
// before defaults.
func field(v cue.Value, l string) cue.Value {
	v = deref(v)
	if op, args := v.Expr(); op == cue.OrOp {
		var concrete cue.Value
		for _, a := range args {
			if w := field(a, l); w.Exists() {
				if !w.IsConcrete() {
					return w
				}
				if !concrete.Exists() {
					concrete = w
				}
			}
		}
		return concrete
	}
	for _, sel := range []cue.Selector{cue.Str(l), cue.Str(l).Optional(), cue.AnyString} {
		if w := v.LookupPath(cue.MakePath(sel)); w.Exists() {
			return w
		}
	}
	return cue.Value{}
}

// deref returns the value of the definition v refers to (#Port,
// #Schedule), whose expression shows its constraints, or v.
func deref(v cue.Value) cue.Value {
	if op, _ := v.Expr(); op == cue.SelectorOp {
		return v.Eval()
	}
	return v
}

// unknownField names the field the user probably meant, from the fields
// the closed struct parent allows.
func unknownField(parent cue.Value, name, key string, keys []string) (Message, bool) {
	allowed := slices.Clone(keys)
	it, err := parent.Fields(cue.Optional(true))
	if err != nil {
		return Message{}, false
	}
	for it.Next() {
		allowed = append(allowed, it.Selector().Unquoted())
	}
	if len(allowed) == 0 {
		return Message{}, false // a map of user-chosen keys: nothing to suggest
	}
	if near, ok := Nearest(key, allowed); ok {
		return Message{fmt.Sprintf("%s: unknown field (did you mean %q?)", name, near), []string{near}}, true
	}
	slices.Sort(allowed)
	return Message{Text: fmt.Sprintf("%s: unknown field; the fields here are %s", name, strings.Join(allowed, ", "))}, true
}

// value explains a concrete user value u that the schema field s rejects.
func value(name, key string, s, u cue.Value) (Message, bool) {
	sk, uk := s.IncompleteKind(), u.Kind()
	if sk&uk == 0 {
		return kindMismatch(name, key, sk, u)
	}
	c := constraintsOf(s)
	if uk == cue.StringKind {
		str, _ := u.String()
		if len(c.enum) > 0 && !slices.Contains(c.enum, str) {
			msg := fmt.Sprintf("%s must be %s, not %q", name, orList(c.enum), str)
			if near, ok := Nearest(str, c.enum); ok {
				msg += fmt.Sprintf(" (did you mean %q?)", near)
			}
			return Message{msg, c.enum}, true
		}
		for _, re := range c.patterns {
			if !re.MatchString(str) {
				return patternMismatch(name, re, str), true
			}
		}
	}
	if uk&cue.NumberKind != 0 {
		n, err := u.Float64()
		if err == nil && ((c.hasMin && n < c.min) || (c.hasMax && n > c.max)) {
			return Message{Text: fmt.Sprintf("%s must be %s, not %s", name, c.bounds(), fmt.Sprint(u))}, true
		}
	}
	return Message{}, false
}

// kindMismatch explains a value of the wrong kind, with the two mistakes
// YAML invites: a boolean written as yes/no (YAML 1.2 reads it as text) and
// a number in quotes.
func kindMismatch(name, key string, want cue.Kind, u cue.Value) (Message, bool) {
	if str, err := u.String(); err == nil {
		switch {
		case want&cue.BoolKind != 0 && isYAML11Bool(str):
			return Message{Text: fmt.Sprintf("%s must be true or false: YAML reads %s as text here, not as a boolean", name, str)}, true
		case want&cue.BoolKind != 0 && (str == "true" || str == "false"):
			return Message{Text: fmt.Sprintf("%s must be true or false without quotes: write %s: %s", name, key, str)}, true
		case want&cue.NumberKind != 0 && isNumber(str):
			return Message{Text: fmt.Sprintf("%s must be a number: write it without quotes, %s: %s", name, key, str)}, true
		}
	}
	return Message{Text: fmt.Sprintf("%s must be %s, not %s %s", name, kindName(want), kindName(u.Kind()), fmt.Sprint(u))}, true
}

func isYAML11Bool(s string) bool {
	switch strings.ToLower(s) {
	case "yes", "no", "on", "off", "y", "n":
		return true
	}
	return false
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

func kindName(k cue.Kind) string {
	switch {
	case k == cue.BoolKind:
		return "true or false"
	case k&cue.NumberKind != 0 && k&^cue.NumberKind == 0:
		return "a number"
	case k == cue.StringKind:
		return "text"
	case k == cue.StructKind:
		return "a mapping"
	case k == cue.ListKind:
		return "a list"
	case k == cue.NullKind:
		return "null"
	}
	return k.String()
}

// thumbprintRe is the form of a certificate thumbprint (#Certificate).
var thumbprintRe = regexp.MustCompile(`^[0-9A-F]{40}$`)

// patternMismatch explains a string that does not match the field's
// pattern, with the cleaned value to paste when cleaning makes it match: a
// thumbprint copied from the certificate dialog (spaces, lower case, an
// invisible mark first), a name in upper case.
func patternMismatch(name string, re *regexp.Regexp, s string) Message {
	if re.String() == thumbprintRe.String() {
		clean := strings.ToUpper(strings.Map(func(r rune) rune {
			if strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return r
			}
			return -1
		}, s))
		msg := fmt.Sprintf("%s must be 40 hexadecimal digits, no spaces, upper case", name)
		if re.MatchString(clean) {
			return Message{msg + fmt.Sprintf(": write %q", clean), []string{clean}}
		}
		return Message{Text: msg + fmt.Sprintf(", not %q (%d hexadecimal digits)", s, len(clean))}
	}
	msg := fmt.Sprintf("%s must match =~%q, not %q", name, re.String(), s)
	for _, fix := range []string{strings.ToLower(s), strings.ToUpper(s), strings.TrimSpace(s)} {
		if fix != s && re.MatchString(fix) {
			return Message{msg + fmt.Sprintf(" (write %q)", fix), []string{re.String(), fix}}
		}
	}
	return Message{msg, []string{re.String()}}
}

// constraints are what a schema field says of its values.
type constraints struct {
	enum             []string // the strings a field of enum type allows
	patterns         []*regexp.Regexp
	min, max         float64
	hasMin, hasMax   bool
	minOpen, maxOpen bool // > and < rather than >= and <=
}

func (c constraints) bounds() string {
	switch {
	case c.hasMin && c.hasMax && !c.minOpen && !c.maxOpen:
		return fmt.Sprintf("between %g and %g", c.min, c.max)
	case c.hasMin && c.hasMax:
		return fmt.Sprintf("%s and %s", bound(">", c.min, c.minOpen), bound("<", c.max, c.maxOpen))
	case c.hasMin:
		return bound(">", c.min, c.minOpen)
	}
	return bound("<", c.max, c.maxOpen)
}

func bound(op string, n float64, open bool) string {
	if !open {
		op += "="
	}
	return fmt.Sprintf("%s %g", op, n)
}

// constraintsOf reads a schema field's enum, patterns and bounds from its
// expression, following references to definitions (#Port).
func constraintsOf(v cue.Value) constraints {
	var c constraints
	enumOK := true
	var walk func(v cue.Value, depth int, inOr bool)
	walk = func(v cue.Value, depth int, inOr bool) {
		if depth > 8 {
			return
		}
		op, args := v.Expr()
		switch op {
		case cue.OrOp, cue.AndOp:
			for _, a := range args {
				walk(a, depth+1, inOr || op == cue.OrOp)
			}
		case cue.SelectorOp:
			walk(deref(v), depth+1, inOr)
		case cue.RegexMatchOp:
			if s, err := args[0].String(); err == nil {
				if re, err := regexp.Compile(s); err == nil {
					c.patterns = append(c.patterns, re)
				}
			}
		case cue.GreaterThanEqualOp, cue.GreaterThanOp:
			if n, err := args[0].Float64(); err == nil {
				c.min, c.hasMin, c.minOpen = n, true, op == cue.GreaterThanOp
			}
		case cue.LessThanEqualOp, cue.LessThanOp:
			if n, err := args[0].Float64(); err == nil {
				c.max, c.hasMax, c.maxOpen = n, true, op == cue.LessThanOp
			}
		case cue.NoOp:
			if s, err := v.String(); err == nil && v.IsConcrete() && inOr {
				if !slices.Contains(c.enum, s) {
					c.enum = append(c.enum, s)
				}
			} else if v.IsConcrete() && v.Kind() != cue.StringKind {
				enumOK = false
			}
		}
	}
	walk(v, 0, false)
	if !enumOK || len(c.enum) < 2 {
		c.enum = nil
	}
	return c
}

// orList renders "a" or "b", or "a", "b" or "c".
func orList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = strconv.Quote(x)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

// Nearest returns the option closest to word by edit distance (case
// ignored), when it is close enough to be a typo: at most a third of the
// word's length, and at least one edit, away.
func Nearest(word string, options []string) (string, bool) {
	best, bestD := "", -1
	for _, o := range options {
		d := distance(strings.ToLower(word), strings.ToLower(o))
		if bestD < 0 || d < bestD {
			best, bestD = o, d
		}
	}
	limit := max(1, (len(word)+2)/3)
	return best, word != "" && bestD >= 0 && bestD <= limit
}

// distance is the Levenshtein edit distance of a and b (in runes).
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
