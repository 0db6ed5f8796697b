package diag

import (
	"fmt"
	"testing"
)

func TestNearest(t *testing.T) {
	for _, c := range []struct {
		word    string
		options []string
		want    string
		ok      bool
	}{
		{"nativ", []string{"mixed", "native"}, "native", true},
		{"intranett", []string{"intranet", "internet", "both"}, "intranet", true},
		{"SSl", []string{"Ssl", "SslNegotiateCert"}, "Ssl", true}, // case is one slip, not a distance
		{"activ", []string{"active", "internet", "ports"}, "active", true},
		{"banana", []string{"mixed", "native"}, "", false}, // too far to be a typo
		{"", []string{"x"}, "", false},
	} {
		got, ok := Nearest(c.word, c.options)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("Nearest(%q) = %q, %v; want %q, %v", c.word, got, ok, c.want, c.ok)
		}
	}
}

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"abc", "", 3}, {"kitten", "sitting", 3}, {"upstrem", "upstream", 1}, {"é", "e", 1}} {
		if got := distance(c.a, c.b); got != c.want {
			t.Errorf("distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestYAMLIndentation(t *testing.T) {
	src := "sites:\n  P01:\n    siteServer: a.b\n   servers:\n      a.b: {}\n"
	s, ok := YAML([]byte(src))
	if !ok {
		t.Fatal("no syntax error found")
	}
	want := Syntax{Line: 4, Col: 4, Msg: "line 4 is indented 3 spaces, but the keys above it are at 0, 2 or 4: indent it like the key it belongs beside"}
	if s != want {
		t.Errorf("got %+v\nwant %+v", s, want)
	}
	if _, ok := YAML([]byte("sites:\n  P01: {}\n")); ok {
		t.Error("valid YAML reported as an error")
	}
}

func TestJSONTrailingComma(t *testing.T) {
	src := []byte(`{"a": 1, }`)
	if msg, ok := JSON(src, 9); !ok || msg != `a comma before "}": JSON allows none after the last element; remove it` {
		t.Errorf("got %q, %v", msg, ok)
	}
	if _, ok := JSON([]byte(`{"a": 1 }`), 8); ok {
		t.Error("no comma, yet explained as one")
	}
}

// TestYAMLAliasLoop: an alias inside its own anchor's value is found where
// it is written, directly or through a merge key, in any document; anchors
// used after their value, and text with & and * that is no anchor, are not.
func TestYAMLAliasLoop(t *testing.T) {
	for src, want := range map[string]string{
		"s:\n  P: &s {<<: [*s, {de: ve}]}\n": "2:15",
		"a: &x\n  b: *x\n":                   "2:6",
		"a: 1\n---\nb: &y [1, [2, *y]]\n":    "3:15",
		"a: &x {b: 1}\nc: *x\nd: {<<: *x}\n": "",
		"note: 'a & b * c'\n":                "",
		"a: &x [1\n":                         "", // does not parse: the decoder says so
	} {
		s, ok := YAMLAliasLoop([]byte(src))
		got := ""
		if ok {
			got = fmt.Sprintf("%d:%d", s.Line, s.Col)
		}
		if got != want {
			t.Errorf("YAMLAliasLoop(%q) at %q, want %q (%s)", src, got, want, s.Msg)
		}
	}
}
