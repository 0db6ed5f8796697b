package schema

import "testing"

func TestConfineQuotes(t *testing.T) {
	for _, tc := range []struct{ msg, line, want string }{
		// On the line: kept.
		{`conflicting values "P01" and 2`, `  P01: 2`, `conflicting values "P01" and 2`},
		// Folded over lines: cut where the line ends.
		{`conflicting values "admin write SECRET-A viewer read SECRET-B" and {}`, `  P01: admin write SECRET-A`,
			`conflicting values "admin write SECRET-A…" and {}`},
		// Not on the line at all (a multi-line string after its key): nothing quoted.
		{`invalid value "a\nb"`, `  note: |`, `invalid value "…"`},
		// No line known (the file was not read): nothing quoted.
		{`x "secret"`, ``, `x "…"`},
		// No quotes, or an unterminated one: unchanged.
		{`plain message`, `whatever`, `plain message`},
		{`a " b`, `whatever`, `a " b`},
	} {
		if got := ConfineQuotes(tc.msg, tc.line); got != tc.want {
			t.Errorf("ConfineQuotes(%q, %q) = %q, want %q", tc.msg, tc.line, got, tc.want)
		}
	}
}
