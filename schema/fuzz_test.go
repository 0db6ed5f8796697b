package schema_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/supctl/supctl/schema"
)

// The fuzz targets feed one config file of each format to the loader. The
// loader must never panic, and must return either a Config or Problems,
// never both or neither; every problem must point into the file. Their seed
// corpora live in testdata/fuzz/FuzzLoad*/ and run with `go test`; fuzz with
//
//	go test -run '^$' -fuzz '^FuzzLoadYAML$' -fuzztime 30s ./schema

// FuzzLoadCUE loads a .cue file.
func FuzzLoadCUE(f *testing.F) { fuzzLoad(f, "site.cue") }

// FuzzLoadJSON loads a .json file.
func FuzzLoadJSON(f *testing.F) { fuzzLoad(f, "site.json") }

// FuzzLoadYAML loads a .yaml file.
func FuzzLoadYAML(f *testing.F) { fuzzLoad(f, "site.yaml") }

func fuzzLoad(f *testing.F, name string) {
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 1<<16 {
			t.Skip("inputs over 64 KiB only slow the fuzzer down")
		}
		file := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(file, src, 0o644); err != nil {
			t.Fatal(err)
		}
		repo, err := schema.LoadFiles([]string{file})
		if err != nil {
			t.Fatalf("LoadFiles: %v (content problems must be Problems)", err)
		}
		checkRepo(t, file, repo)
	})
}

// checkRepo asserts the invariants of a loaded repo.
func checkRepo(t *testing.T, file string, repo *schema.Repo) {
	t.Helper()
	switch {
	case repo.Config == nil && len(repo.Problems) == 0:
		t.Fatal("neither a Config nor Problems")
	case repo.Config != nil && len(repo.Problems) > 0:
		t.Fatalf("a Config and %d problems: %+v", len(repo.Problems), repo.Problems)
	}
	for _, p := range repo.Problems {
		if p.Rule != schema.RuleSyntax && p.Rule != schema.RuleSchema {
			t.Errorf("problem with rule %q: %+v", p.Rule, p)
		}
		if p.Pos.File != file || p.Pos.Line < 1 || p.Pos.Col < 1 {
			t.Errorf("problem not placed in %s: %+v", file, p)
		}
		if p.Msg == "" {
			t.Errorf("problem without a message: %+v", p)
		}
	}
	if repo.Config == nil {
		return
	}
	for code, site := range repo.Config.Sites {
		if site.Code != code {
			t.Errorf("site %q has code %q", code, site.Code)
		}
		if _, ok := repo.Positions.Lookup([]string{"sites", code}); !ok {
			t.Errorf("site %s has no position", code)
		}
		repo.Positions.Lookup([]string{"sites", code, "servers", site.SiteServer, "wsus", "ports", "https"})
	}
}
