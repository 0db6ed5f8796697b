package main

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestHostArchive builds the release archive of the host platform only (the
// six of make dist would take minutes), with the same code make dist runs,
// checks SHA256SUMS, unpacks it and runs both binaries: they report the
// version and commit given to the build.
func TestHostArchive(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the unpacking below reads tar.gz; windows archives are zip (TestZipLayout)")
	}
	const version, commit = "v9.8.7-test", "0123456789abcdef0123456789abcdef01234567"
	out := t.TempDir()
	host := target{runtime.GOOS, runtime.GOARCH}
	archives, err := build(context.Background(), options{
		Version: version, Commit: commit, Root: "../..", Out: out,
		Date: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Targets: []target{host}, Log: io.Discard,
	})
	if err != nil {
		t.Fatal(err)
	}
	name := "supctl_" + version + "_" + runtime.GOOS + "_" + runtime.GOARCH + ".tar.gz"
	if len(archives) != 1 || filepath.Base(archives[0]) != name {
		t.Fatalf("archives %v, want one named %s", archives, name)
	}
	data, err := os.ReadFile(archives[0])
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	sums, err := os.ReadFile(filepath.Join(out, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	if want := hex.EncodeToString(sum[:]) + "  " + name + "\n"; string(sums) != want {
		t.Errorf("SHA256SUMS is %q, want %q", sums, want)
	}

	dir := t.TempDir()
	prefix := strings.TrimSuffix(name, ".tar.gz") + "/"
	got := untar(t, archives[0], dir)
	for _, f := range []string{"supctl", "supd", "LICENSE", "README.md"} {
		m, ok := got[prefix+f]
		if !ok {
			t.Fatalf("archive has %v, no %s", got, prefix+f)
		}
		if exe := f == "supctl" || f == "supd"; exe != (m&0o111 != 0) {
			t.Errorf("%s: mode %v", f, m)
		}
	}

	outJSON, err := exec.Command(filepath.Join(dir, prefix, "supctl"), "version", "--format", "json").Output()
	if err != nil {
		t.Fatalf("supctl version --format json: %v", err)
	}
	var info struct{ Version, Commit, GoVersion, Platform string }
	if err := json.Unmarshal(outJSON, &info); err != nil {
		t.Fatalf("supctl version --format json: %v\n%s", err, outJSON)
	}
	if info.Version != version || info.Commit != commit || info.GoVersion != runtime.Version() || info.Platform != host.String() {
		t.Errorf("supctl version --format json: %+v, want %s %s %s %s", info, version, commit, runtime.Version(), host)
	}
	outSupd, err := exec.Command(filepath.Join(dir, prefix, "supd"), "--version").Output()
	if err != nil {
		t.Fatalf("supd --version: %v", err)
	}
	if !strings.HasPrefix(string(outSupd), "supd "+version+" (commit "+commit) {
		t.Errorf("supd --version: %q", outSupd)
	}
}

// untar extracts a .tar.gz into dir and returns the mode of each entry.
func untar(t *testing.T, path, dir string) map[string]os.FileMode {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	modes := map[string]os.FileMode{}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return modes
		}
		if err != nil {
			t.Fatal(err)
		}
		modes[hdr.Name] = os.FileMode(hdr.Mode)
		dst := filepath.Join(dir, filepath.FromSlash(hdr.Name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, os.FileMode(hdr.Mode)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestZipLayout: a windows archive is a zip with the .exe binaries
// executable and the docs under the same versioned directory.
func TestZipLayout(t *testing.T) {
	src := t.TempDir()
	var files []string
	for _, f := range []string{"supctl.exe", "supd.exe", "LICENSE"} {
		p := filepath.Join(src, f)
		if err := os.WriteFile(p, []byte(f), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	name := archiveName("v1.0.0", target{"windows", "arm64"})
	if name != "supctl_v1.0.0_windows_arm64.zip" {
		t.Fatalf("archive name %s", name)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := writeZip(path, "supctl_v1.0.0_windows_arm64/", files, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	want := map[string]os.FileMode{"supctl_v1.0.0_windows_arm64/supctl.exe": 0o755, "supctl_v1.0.0_windows_arm64/supd.exe": 0o755, "supctl_v1.0.0_windows_arm64/LICENSE": 0o644}
	if len(zr.File) != len(want) {
		t.Fatalf("zip has %d files, want %d", len(zr.File), len(want))
	}
	for _, f := range zr.File {
		if m, ok := want[f.Name]; !ok || f.Mode().Perm() != m {
			t.Errorf("zip entry %s mode %v, want %v", f.Name, f.Mode().Perm(), m)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		if string(data) != filepath.Base(f.Name) {
			t.Errorf("zip entry %s holds %q", f.Name, data)
		}
	}
}

func TestParseTarget(t *testing.T) {
	if tg, err := parseTarget("darwin/arm64"); err != nil || tg != (target{"darwin", "arm64"}) {
		t.Errorf("parseTarget(darwin/arm64) = %v, %v", tg, err)
	}
	for _, bad := range []string{"linux", "linux/", "/amd64", "linux/amd64/v3"} {
		if _, err := parseTarget(bad); err == nil {
			t.Errorf("parseTarget(%q): no error", bad)
		}
	}
}

// TestReadmeArchiveNames: the install steps of the README download the
// archive names make dist writes.
func TestReadmeArchiveNames(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"${VERSION}", "${SUPCTL_VERSION}"} {
		if name := archiveName(v, target{"linux", "amd64"}); !strings.Contains(string(readme), name) {
			t.Errorf("README never downloads %s", name)
		}
	}
}
