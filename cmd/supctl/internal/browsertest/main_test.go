package browsertest

import (
	"testing"

	"github.com/supctl/supctl/reconcile/supd/supdtest"
)

// supctlBin and supdBin are the binaries TestMain builds.
var supctlBin, supdBin string

func TestMain(m *testing.M) {
	supdtest.Main(m, map[string]*string{"supctl": &supctlBin, "supd": &supdBin})
}
