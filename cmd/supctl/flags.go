package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/supctl/supctl/reconcile"
)

// commonFlags are the flags several commands share (SPEC §4); each command
// registers only the groups it uses.
type commonFlags struct {
	endpoints     string
	tokenFile     string
	readTokenFile string
	tokenHosts    string
	caFile        string
	timeout       time.Duration
	logFormat     string
	noColor       bool
	quiet         bool
}

// registerNetworkFlags adds the flags that reach supd: endpoints, tokens,
// token hosts, CA and request timeout (plan, apply, watch, import).
func registerNetworkFlags(fs *pflag.FlagSet, common *commonFlags) {
	fs.StringVar(&common.endpoints, "endpoints", "", "endpoints file mapping server FQDNs to supd URLs (default: $SUPCTL_ENDPOINTS, else supctl.endpoints.yaml beside the first PATH)")
	fs.StringVar(&common.tokenFile, "token-file", "", "file holding the supd write token (default: $SUPCTL_TOKEN)")
	fs.StringVar(&common.readTokenFile, "read-token-file", "", "file holding a read-scoped supd token, used for every read when given (default: $SUPCTL_READ_TOKEN)")
	fs.StringVar(&common.tokenHosts, "token-hosts", "", "comma-separated globs of the server FQDNs tokens may be sent to, e.g. '*.corp.example.com' (default: $SUPCTL_TOKEN_HOSTS)")
	fs.StringVar(&common.caFile, "ca-file", "", "PEM CA bundle to verify supd's TLS certificate")
	fs.DurationVar(&common.timeout, "timeout", 10*time.Second, fmt.Sprintf("per-request timeout; reading one server gives up after %d× this, retries included", reconcile.ObserveBudget))
}

// registerOutputFlags adds --no-color and --quiet (commands that print a
// report for people).
func registerOutputFlags(fs *pflag.FlagSet, common *commonFlags) {
	fs.BoolVar(&common.noColor, "no-color", false, "never color output")
	fs.BoolVarP(&common.quiet, "quiet", "q", false, "print only what matters")
}

// logFormats are the values of --log-format.
var logFormats = []string{"text", "json"}

// addEverywhereFlags gives c the flags SPEC §4 puts on every command
// (--log-format, --no-color, -q) that c does not declare itself: c accepts
// them and has nothing to log, color or quieten.
func addEverywhereFlags(c *cobra.Command) {
	fs := c.Flags()
	unused := &commonFlags{}
	if fs.Lookup("log-format") == nil {
		fs.StringVar(&unused.logFormat, "log-format", "text", "log format: text|json")
		completeValues(c, "log-format", logFormats...)
	}
	if fs.Lookup("no-color") == nil && fs.Lookup("quiet") == nil {
		registerOutputFlags(fs, unused)
	}
}

// checkEverywhereFlags reports a bad --log-format as a usage error, for
// every command.
func checkEverywhereFlags(e *env, c *cobra.Command) bool {
	f := c.Flags().Lookup("log-format")
	return f == nil || checkEnum(e, c.Name(), "log-format", f.Value.String(), logFormats...)
}

// newCommand returns a cobra command for a supctl subcommand: flags in the
// order they are declared, interspersed with the arguments.
func newCommand(use, short, example string) *cobra.Command {
	c := &cobra.Command{Use: use, Short: short, Example: example}
	c.Flags().SortFlags = false
	return c
}

// completeValues makes shell completion offer values for flag.
func completeValues(c *cobra.Command, flag string, values ...string) {
	err := c.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
	if err != nil {
		panic(err) // a programming error: the flag is not declared
	}
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
