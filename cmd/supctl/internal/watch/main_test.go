package watch

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// supctlBin and supdBin are the binaries TestMain builds for the
// end-to-end tests, which run a real `supctl watch` against real supd
// processes on loopback.
var supctlBin, supdBin string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "supctl-watch-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	supctlBin, supdBin = filepath.Join(dir, "supctl"), filepath.Join(dir, "supd")
	for bin, pkg := range map[string]string{supctlBin: "github.com/supctl/supctl/cmd/supctl", supdBin: "github.com/supctl/supctl/cmd/supd"} {
		if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build %s: %v\n%s", pkg, err, out)
			return 1
		}
	}
	return m.Run()
}
