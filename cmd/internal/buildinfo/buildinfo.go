// Package buildinfo says which build of supctl and supd is running: the
// version and commit set by the release build (make build, make dist) with
// -ldflags, else what the Go toolchain recorded, and the Go version.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Set at build time:
//
//	go build -ldflags "-X github.com/supctl/supctl/cmd/internal/buildinfo.version=v1.2.0 \
//	    -X github.com/supctl/supctl/cmd/internal/buildinfo.commit=0123abc"
var (
	version = ""
	commit  = ""
)

// Info describes a build; its JSON is the output of supctl version
// --format json.
type Info struct {
	// Version is `git describe --always --dirty --tags` of the build, the
	// module version for `go install …@vX`, or "dev".
	Version string `json:"version"`
	// Commit is the full commit hash, or "" when unknown.
	Commit string `json:"commit"`
	// GoVersion is the Go release the binary was built with.
	GoVersion string `json:"goVersion"`
	// Platform is GOOS/GOARCH of the binary.
	Platform string `json:"platform"`
}

// Get returns the running binary's build information.
func Get() Info {
	in := Info{Version: version, Commit: commit, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if in.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			in.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && in.Commit == "" {
				in.Commit = s.Value
			}
		}
	}
	if in.Version == "" {
		in.Version = "dev"
	}
	return in
}

// String is the one-line form: "v1.2.0 (commit 0123abc, go1.26.8, linux/amd64)".
func (in Info) String() string {
	c := in.Commit
	if c == "" {
		c = "unknown"
	}
	return fmt.Sprintf("%s (commit %s, %s, %s)", in.Version, c, in.GoVersion, in.Platform)
}
