// Command dist builds the release archives of supctl and supd (make dist):
// for each GOOS/GOARCH target, both binaries built with -trimpath and the
// version and commit set by -ldflags, packed with LICENSE and README.md into
// supctl_VERSION_OS_ARCH.tar.gz (.zip for windows), and a SHA256SUMS file
// that `sha256sum -c` checks.
//
//	go run ./cmd/dist -version v1.2.0 -commit 0123abc -out dist linux/amd64 windows/arm64 ...
package main

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// buildinfoPkg is the package whose variables -ldflags -X sets.
const buildinfoPkg = "github.com/supctl/supctl/cmd/internal/buildinfo"

// commands are the binaries of a release, built from ./cmd/NAME.
var commands = []string{"supctl", "supd"}

// docs are the files of the repo root shipped beside the binaries.
var docs = []string{"LICENSE", "README.md"}

// options say what to build.
type options struct {
	Version string    // the release version, in the archive names and the binaries
	Commit  string    // the commit the binaries report
	Root    string    // the repo root (./cmd/..., LICENSE, README.md)
	Out     string    // the directory of the archives and SHA256SUMS
	Date    time.Time // the modification time of every archived file (reproducible archives)
	Targets []target
	Log     io.Writer // progress, one line per archive
}

// target is a GOOS/GOARCH pair.
type target struct{ OS, Arch string }

func (t target) String() string { return t.OS + "/" + t.Arch }

func parseTarget(s string) (target, error) {
	goos, goarch, ok := strings.Cut(s, "/")
	if !ok || goos == "" || goarch == "" || strings.Contains(goarch, "/") {
		return target{}, fmt.Errorf("target %q: want GOOS/GOARCH", s)
	}
	return target{goos, goarch}, nil
}

func main() {
	o := options{Root: ".", Log: os.Stderr}
	var epoch int64
	flag.StringVar(&o.Version, "version", "", "release version (required), e.g. the output of git describe --tags")
	flag.StringVar(&o.Commit, "commit", "", "commit hash the binaries report")
	flag.StringVar(&o.Out, "out", "dist", "output directory")
	flag.Int64Var(&epoch, "date", 0, "modification time of the archived files, Unix seconds (default: $SOURCE_DATE_EPOCH, else now)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: dist -version V [-commit C] [-out DIR] [-date UNIX] GOOS/GOARCH...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if o.Version == "" || flag.NArg() == 0 {
		flag.Usage()
		os.Exit(3)
	}
	for _, a := range flag.Args() {
		t, err := parseTarget(a)
		if err != nil {
			fmt.Fprintf(os.Stderr, "dist: %v\n", err)
			os.Exit(3)
		}
		o.Targets = append(o.Targets, t)
	}
	if epoch == 0 {
		if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
			var err error
			if epoch, err = strconv.ParseInt(s, 10, 64); err != nil {
				fmt.Fprintf(os.Stderr, "dist: SOURCE_DATE_EPOCH=%q: %v\n", s, err)
				os.Exit(3)
			}
		}
	}
	o.Date = time.Now()
	if epoch != 0 {
		o.Date = time.Unix(epoch, 0)
	}
	if _, err := build(context.Background(), o); err != nil {
		fmt.Fprintf(os.Stderr, "dist: %v\n", err)
		os.Exit(1)
	}
}

// build builds and packs every target, then writes SHA256SUMS; it returns
// the archive paths.
func build(ctx context.Context, o options) ([]string, error) {
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp("", "supctl-dist-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	var archives []string
	for _, t := range o.Targets {
		a, err := buildTarget(ctx, o, t, filepath.Join(work, t.OS+"_"+t.Arch))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t, err)
		}
		fmt.Fprintf(o.Log, "dist: %s\n", a)
		archives = append(archives, a)
	}
	if err := writeSums(filepath.Join(o.Out, "SHA256SUMS"), archives); err != nil {
		return nil, err
	}
	return archives, nil
}

// archiveName is the archive of a target: supctl_VERSION_OS_ARCH.tar.gz,
// or .zip for windows.
func archiveName(version string, t target) string {
	base := "supctl_" + version + "_" + t.OS + "_" + t.Arch
	if t.OS == "windows" {
		return base + ".zip"
	}
	return base + ".tar.gz"
}

// buildTarget builds the binaries of t into dir and packs them with the
// docs into the target's archive in o.Out.
func buildTarget(ctx context.Context, o options, t target, dir string) (string, error) {
	ldflags := fmt.Sprintf("-s -w -X %s.version=%s -X %s.commit=%s", buildinfoPkg, o.Version, buildinfoPkg, o.Commit)
	var files []string
	for _, name := range commands {
		bin := filepath.Join(dir, name)
		if t.OS == "windows" {
			bin += ".exe"
		}
		cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", ldflags, "-o", bin, "./cmd/"+name)
		cmd.Dir = o.Root
		cmd.Env = append(os.Environ(), "GOOS="+t.OS, "GOARCH="+t.Arch, "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("go build %s: %w\n%s", name, err, out)
		}
		files = append(files, bin)
	}
	for _, d := range docs {
		files = append(files, filepath.Join(o.Root, d))
	}
	name := archiveName(o.Version, t)
	prefix := strings.TrimSuffix(strings.TrimSuffix(name, ".zip"), ".tar.gz") + "/"
	path := filepath.Join(o.Out, name)
	if t.OS == "windows" {
		return path, writeZip(path, prefix, files, o.Date)
	}
	return path, writeTarGz(path, prefix, files, o.Date)
}

// mode is the archived mode of a file: executables 0755, docs 0644.
func mode(path string) int64 {
	for _, c := range commands {
		if b := filepath.Base(path); b == c || b == c+".exe" {
			return 0o755
		}
	}
	return 0o644
}

// writeTarGz writes files under prefix into a gzipped tar at path.
func writeTarGz(path, prefix string, files []string, date time.Time) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		hdr := &tar.Header{Name: prefix + filepath.Base(file), Mode: mode(file), Size: int64(len(data)), ModTime: date, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := tw.Write(data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

// writeZip writes files under prefix into a zip at path.
func writeZip(path, prefix string, files []string, date time.Time) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	zw := zip.NewWriter(f)
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		hdr := &zip.FileHeader{Name: prefix + filepath.Base(file), Method: zip.Deflate, Modified: date}
		hdr.SetMode(os.FileMode(mode(file)))
		w, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
	}
	return zw.Close()
}

// writeSums writes "HASH  NAME" lines, the format of sha256sum -c, for the
// archives (names relative to the file's directory).
func writeSums(path string, archives []string) error {
	var b strings.Builder
	for _, a := range archives {
		data, err := os.ReadFile(a)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(sum[:]), filepath.Base(a))
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
