package schema

import "testing"

func TestVersionLess(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"3.0.6000.273", "3.2.7600.283", true},
		{"3.2.7600.282", "3.2.7600.283", true},
		{"3.2.7600.283", "3.2.7600.283", false},
		{"3.2.7600.283", "10.0.17763.1", true}, // numeric, not lexical
		{"10.0.17763.1", "6.2.9200.0", false},
		{"6.2.9200", "6.2.9200.0", false}, // a missing part is 0
		{"6.2.9200.0", "6.2.9200.1", true},
	}
	for _, tt := range tests {
		if got := VersionLess(tt.a, tt.b); got != tt.want {
			t.Errorf("VersionLess(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestEffectiveVirtualRoots: the five roots require SSL exactly when WSUS
// uses SSL, and an override wins.
func TestEffectiveVirtualRoots(t *testing.T) {
	w := &WSUS{SSL: true, VirtualRoots: map[string]VirtualRootTLS{"Content": {SSLFlags: []string{"Ssl"}}}}
	got := EffectiveVirtualRoots(w)
	if len(got) != 9 {
		t.Fatalf("%d roots, want 9", len(got))
	}
	for _, r := range VirtualRoots {
		want := 0
		if IsSSLVirtualRoot(r) || r == "Content" {
			want = 1
		}
		if len(got[r]) != want {
			t.Errorf("%s: %v", r, got[r])
		}
	}
	if plain := EffectiveVirtualRoots(&WSUS{}); len(plain["ClientWebService"]) != 0 {
		t.Errorf("no SSL: ClientWebService = %v", plain["ClientWebService"])
	}
}
