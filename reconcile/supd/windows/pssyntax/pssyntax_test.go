package pssyntax_test

import (
	"strings"
	"testing"

	"github.com/supctl/supctl/reconcile/supd/windows/pssyntax"
)

// TestCheckerCatchesBrokenScripts is the checker's negative test: each
// broken text must be reported, the good one must not.
func TestCheckerCatchesBrokenScripts(t *testing.T) {
	problems, err := pssyntax.Check(map[string]string{
		"good.ps1":         "$x = @{ a = 1 }\nif ($x.a -eq 1) { Write-Output 'yes' }\n",
		"unclosed-if.ps1":  "if ($x -eq 1 {\n  'a'\n}\n",
		"unclosed-str.ps1": "$s = 'never closed\n",
		"bad-hash.ps1":     "$h = @{ a = }\n",
	})
	if err != nil {
		t.Fatalf("the checker must run here (npm ci in %s): %v", pssyntax.Dir(), err)
	}
	seen := map[string]bool{}
	for _, p := range problems {
		name, _, _ := strings.Cut(p, ":")
		seen[name] = true
	}
	for _, bad := range []string{"unclosed-if.ps1", "unclosed-str.ps1", "bad-hash.ps1"} {
		if !seen[bad] {
			t.Errorf("%s: no problem reported (problems: %q)", bad, problems)
		}
	}
	if seen["good.ps1"] {
		t.Errorf("good.ps1 reported: %q", problems)
	}
}
