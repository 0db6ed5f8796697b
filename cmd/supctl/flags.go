package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/pflag"
)

// commonFlags are accepted by every command (SPEC §4).
type commonFlags struct {
	endpoints string
	tokenFile string
	caFile    string
	timeout   time.Duration
	logFormat string
	noColor   bool
	quiet     bool
}

// newFlagSet returns a flag set for cmd with the common flags registered.
func newFlagSet(c *command, e *env, common *commonFlags) *pflag.FlagSet {
	fs := pflag.NewFlagSet("supctl "+c.name, pflag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.SortFlags = false
	fs.StringVar(&common.endpoints, "endpoints", "", "endpoints file mapping server FQDNs to supd URLs (default supctl.endpoints.yaml beside the first PATH)")
	fs.StringVar(&common.tokenFile, "token-file", "", "file holding the supd bearer token (default: $SUPCTL_TOKEN)")
	fs.StringVar(&common.caFile, "ca-file", "", "PEM CA bundle to verify supd's TLS certificate")
	fs.DurationVar(&common.timeout, "timeout", 10*time.Second, "per-request timeout")
	fs.StringVar(&common.logFormat, "log-format", "text", "log format: text|json")
	fs.BoolVar(&common.noColor, "no-color", false, "never color output")
	fs.BoolVarP(&common.quiet, "quiet", "q", false, "print only what matters")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: supctl %s\n\n%s\n\nFlags:\n%s", c.usage, c.summary, fs.FlagUsages())
	}
	return fs
}

// parseFlags parses args; done is true when the command must return code
// at once (help asked, or a usage error already reported).
func parseFlags(fs *pflag.FlagSet, e *env, args []string) (done bool, code int) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return true, exitOK
		}
		fmt.Fprintf(e.stderr, "%s: %v (see --help)\n", fs.Name(), err)
		return true, exitUsage
	}
	return false, exitOK
}

// checkEnum reports a usage error unless value is one of allowed.
func checkEnum(e *env, cmd, flag, value string, allowed ...string) bool {
	for _, a := range allowed {
		if value == a {
			return true
		}
	}
	fmt.Fprintf(e.stderr, "supctl %s: invalid value %q for --%s (want one of %v)\n", cmd, value, flag, allowed)
	return false
}
