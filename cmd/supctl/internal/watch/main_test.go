package watch

import (
	"testing"

	"github.com/supctl/supctl/reconcile/supd/supdtest"
)

// supctlBin and supdBin are the binaries TestMain builds for the
// end-to-end tests, which run a real `supctl watch` against real supd
// processes on loopback.
var supctlBin, supdBin string

func TestMain(m *testing.M) {
	supdtest.Main(m, map[string]*string{"supctl": &supctlBin, "supd": &supdBin})
}
