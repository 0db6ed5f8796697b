package policies

import (
	"context"
	"testing"
)

func TestMinWSUS(t *testing.T) {
	m, err := MinWSUS(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"cm2007-rtm": "3.0.0.0", "cm2007-sp1": "3.1.6001.65", "cm2007-sp2": "3.2.7600.283", "current-branch": "6.2.9200.0"}
	if len(m) != len(want) {
		t.Fatalf("MinWSUS = %v, want %v", m, want)
	}
	for p, b := range want {
		if m[p] != b {
			t.Fatalf("MinWSUS[%s] = %q, want %q", p, m[p], b)
		}
	}
}
