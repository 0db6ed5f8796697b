// Package schematest writes generated config repos for tests and
// benchmarks: many sites, valid and vetting clean, in the layouts people
// use (one file, one file per site, CUE templates over YAML sites, a
// directory per site with a file per server).
package schematest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Code is the site code of the i-th generated site: a letter first (A00 …
// Z99, then AA0 … ZZZ), since YAML would read 010 or 0B0 as numbers.
func Code(i int) string {
	if i < 2600 {
		return fmt.Sprintf("%c%02d", 'A'+i/100, i%100)
	}
	const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	i -= 2600
	return fmt.Sprintf("%c%c%c", 'A'+i/(26*36)%26, 'A'+i/36%26, digits[i%36])
}

func domain(i int) string { return strings.ToLower(Code(i)) + ".corp.example.com" }

// server is the YAML mapping value of server s (0: the console-only site
// server cm01, then supNN on the custom website) of site i.
func server(i, s int) (fqdn, wsus string) {
	if s == 0 {
		return "cm01." + domain(i), `{installType: console, version: "3.2.7600.283"}`
	}
	return fmt.Sprintf("sup%02d.%s", s, domain(i)), `{version: "3.2.7600.283", website: custom}`
}

// site writes site i under "sites:" at two spaces; with templated, the
// SUP ports and the client agent are left to a CUE template (Templates).
// With parent >= 0 the site is a child of site parent and synchronizes
// from its active software update point.
func site(b *strings.Builder, i, serversPerSite int, templated bool, parent int) {
	fmt.Fprintf(b, "  %s:\n    siteServer: cm01.%s\n", Code(i), domain(i))
	if parent >= 0 {
		fmt.Fprintf(b, "    parent: %s\n", Code(parent))
	}
	b.WriteString("    servers:\n")
	for s := range serversPerSite {
		fqdn, wsus := server(i, s)
		fmt.Fprintf(b, "      %s:\n        wsus: %s\n", fqdn, wsus)
	}
	fmt.Fprintf(b, "    softwareUpdatePoint:\n      active: sup01.%s\n", domain(i))
	if parent >= 0 {
		fmt.Fprintf(b, "      sync: {source: upstream, upstream: \"http://sup01.%s:8530\"}\n", domain(parent))
	}
	if !templated {
		b.WriteString("      ports: {http: 8530, https: 8531}\n    clientAgent: {scanSchedule: {days: 7}}\n")
	}
}

// SitesYAML returns a YAML document of n sites, each with a console-only
// site server and serversPerSite-1 WSUS servers on the custom website, the
// first of them the active HTTP software update point.
func SitesYAML(n, serversPerSite int) []byte { return HierarchyYAML(n, serversPerSite, 0) }

// HierarchyYAML is SitesYAML with the sites in a tree: with fanout > 0,
// site i > 0 is a child of site (i-1)/fanout and synchronizes from its
// parent's active software update point.
func HierarchyYAML(n, serversPerSite, fanout int) []byte {
	var b strings.Builder
	b.WriteString("sites:\n")
	for i := range n {
		parent := -1
		if fanout > 0 && i > 0 {
			parent = (i - 1) / fanout
		}
		site(&b, i, serversPerSite, false, parent)
	}
	return []byte(b.String())
}

// OneFile is the repo of SitesYAML in one file, sites.yaml.
func OneFile(n, serversPerSite int) map[string][]byte {
	return map[string][]byte{"sites.yaml": SitesYAML(n, serversPerSite)}
}

// FilePerSite is the sites of SitesYAML, one file each: sites/<code>.yaml.
func FilePerSite(n, serversPerSite int) map[string][]byte {
	files := make(map[string][]byte, n)
	for i := range n {
		var b strings.Builder
		b.WriteString("sites:\n")
		site(&b, i, serversPerSite, false, -1)
		files["sites/"+Code(i)+".yaml"] = []byte(b.String())
	}
	return files
}

// Templates is a CUE file that gives every site the SUP ports and the
// client agent that FilePerSite writes in each site's file.
const Templates = `package config

sites: [_]: {
	softwareUpdatePoint: ports: {http: 8530, https: 8531}
	clientAgent: scanSchedule: days: 7
}
`

// TemplatedFilePerSite is FilePerSite with what every site shares in one
// CUE file of templates (templates.cue); the same config.
func TemplatedFilePerSite(n, serversPerSite int) map[string][]byte {
	files := make(map[string][]byte, n+1)
	files["templates.cue"] = []byte(Templates)
	for i := range n {
		var b strings.Builder
		b.WriteString("sites:\n")
		site(&b, i, serversPerSite, true, -1)
		files["sites/"+Code(i)+".yaml"] = []byte(b.String())
	}
	return files
}

// TemplatedOneFile is TemplatedFilePerSite with the sites in one file,
// sites.yaml: the yardstick of the templated layout.
func TemplatedOneFile(n, serversPerSite int) map[string][]byte {
	var b strings.Builder
	b.WriteString("sites:\n")
	for i := range n {
		site(&b, i, serversPerSite, true, -1)
	}
	return map[string][]byte{"templates.cue": []byte(Templates), "sites.yaml": []byte(b.String())}
}

// ServerTree is the sites of SitesYAML as a directory per site:
// sites/<code>/site.yaml, and sites/<code>/servers/<fqdn>.yaml per server.
func ServerTree(n, serversPerSite int) map[string][]byte {
	files := make(map[string][]byte, n*(1+serversPerSite))
	for i := range n {
		c, dir := Code(i), "sites/"+Code(i)
		files[dir+"/site.yaml"] = fmt.Appendf(nil, "sites:\n  %s:\n    siteServer: cm01.%s\n"+
			"    softwareUpdatePoint:\n      active: sup01.%s\n      ports: {http: 8530, https: 8531}\n"+
			"    clientAgent: {scanSchedule: {days: 7}}\n", c, domain(i), domain(i))
		for s := range serversPerSite {
			fqdn, wsus := server(i, s)
			files[dir+"/servers/"+fqdn+".yaml"] = fmt.Appendf(nil, "sites:\n  %s:\n    servers:\n      %s:\n        wsus: %s\n", c, fqdn, wsus)
		}
	}
	return files
}

// WriteRepo writes files (slash-separated name → content) into a new
// temporary directory and returns it.
func WriteRepo(tb testing.TB, files map[string][]byte) string {
	tb.Helper()
	dir := tb.TempDir()
	if err := Write(dir, files); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// Write writes files (slash-separated name → content) under dir.
func Write(dir string, files map[string][]byte) error {
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, body, 0o644); err != nil {
			return err
		}
	}
	return nil
}
