package schema

import (
	"reflect"
	"regexp"
	"testing"

	"github.com/supctl/supctl/schema/schematest"
)

// TestLayoutsLoadTheSameConfig: the same sites in one file, a file per
// site, CUE templates over a file per site, and a directory per site with a
// file per server load into the same config.
func TestLayoutsLoadTheSameConfig(t *testing.T) {
	want := loadClean(t, schematest.OneFile(40, 3))
	for name, files := range map[string]map[string][]byte{
		"FilePerSite":          schematest.FilePerSite(40, 3),
		"TemplatedOneFile":     schematest.TemplatedOneFile(40, 3),
		"TemplatedFilePerSite": schematest.TemplatedFilePerSite(40, 3),
		"ServerTree":           schematest.ServerTree(40, 3),
	} {
		if got := loadClean(t, files); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: config differs from the one-file layout's", name)
		}
	}
}

func loadClean(t *testing.T, files map[string][]byte) *Config {
	t.Helper()
	r, err := Load([]string{schematest.WriteRepo(t, files)})
	if err != nil {
		t.Fatal(err)
	}
	if r.Config == nil {
		t.Fatalf("did not load: %v", r.Problems)
	}
	return r.Config
}

// TestManyFilesCostLikeOne: loading sites from a file each allocates about
// as much as loading them from one file. Regression (issue 15): the files
// were unified one by one, and CUE checked every site of the closed sites
// struct against every file's conjunct: 1,000 files took 75 times the time
// and 12 times the memory of one file. Allocations are counted, not time.
func TestManyFilesCostLikeOne(t *testing.T) {
	const n = 150
	allocs := func(files map[string][]byte) float64 {
		dir := schematest.WriteRepo(t, files)
		return testing.AllocsPerRun(1, func() {
			if r, err := Load([]string{dir}); err != nil || r.Config == nil {
				t.Fatal(err, r.Problems)
			}
		})
	}
	one := allocs(schematest.OneFile(n, 2))
	for name, files := range map[string]map[string][]byte{
		"FilePerSite": schematest.FilePerSite(n, 2),
		"ServerTree":  schematest.ServerTree(n, 2),
	} {
		if many := allocs(files); many > 1.3*one {
			t.Errorf("%s: %.0f allocations, one file %.0f: more than 1.3 times", name, many, one)
		} else {
			t.Logf("%s: %.0f allocations, one file %.0f", name, many, one)
		}
	}
}

// TestGeneratedCodes: the generator's site codes are distinct and valid
// site codes, past the 2,600 of the A00 … Z99 form too.
func TestGeneratedCodes(t *testing.T) {
	valid := regexp.MustCompile(`^[A-Z][A-Z0-9]{2}$`)
	seen := map[string]int{}
	for i := range 10000 {
		c := schematest.Code(i)
		if !valid.MatchString(c) {
			t.Fatalf("Code(%d) = %q: not a site code starting with a letter", i, c)
		}
		if j, dup := seen[c]; dup {
			t.Fatalf("Code(%d) = Code(%d) = %q", i, j, c)
		}
		seen[c] = i
	}
}
