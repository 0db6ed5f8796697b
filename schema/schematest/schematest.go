// Package schematest writes generated config repos for tests and
// benchmarks: many sites in one YAML file, valid and vetting clean.
package schematest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Code is the site code of the i-th generated site: a letter first (A00 …
// J99), since YAML would read 010 or 0B0 as numbers.
func Code(i int) string { return fmt.Sprintf("%c%02d", 'A'+i/100, i%100) }

// SitesYAML returns a YAML document of n sites, each with a console-only
// site server and serversPerSite-1 WSUS servers on the custom website, the
// first of them the active HTTP software update point.
func SitesYAML(n, serversPerSite int) []byte {
	var b strings.Builder
	b.WriteString("sites:\n")
	for i := range n {
		dom := strings.ToLower(Code(i)) + ".corp.example.com"
		fmt.Fprintf(&b, "  %s:\n    siteServer: cm01.%s\n    servers:\n", Code(i), dom)
		fmt.Fprintf(&b, "      cm01.%s:\n        wsus: {installType: console, version: \"3.2.7600.283\"}\n", dom)
		for s := 1; s < serversPerSite; s++ {
			fmt.Fprintf(&b, "      sup%02d.%s:\n        wsus: {version: \"3.2.7600.283\", website: custom}\n", s, dom)
		}
		fmt.Fprintf(&b, "    softwareUpdatePoint:\n      active: sup01.%s\n      ports: {http: 8530, https: 8531}\n", dom)
		b.WriteString("    clientAgent: {scanSchedule: {days: 7}}\n")
	}
	return []byte(b.String())
}

// WriteRepo writes files (name → content) into a new temporary directory
// and returns it.
func WriteRepo(tb testing.TB, files map[string][]byte) string {
	tb.Helper()
	dir := tb.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}
