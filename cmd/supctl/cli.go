package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
)

// newCommands builds the subcommands; each command's file registers its
// constructor with register in an init function.
var newCommands []func(e *env) *cobra.Command

// register adds a subcommand constructor. The constructor declares the
// command's own flags only; the command runs with e.
func register(newCmd func(e *env) *cobra.Command) { newCommands = append(newCommands, newCmd) }

// exitError carries a command's exit code (SPEC §4) out of cobra's Execute.
type exitError int

func (c exitError) Error() string { return "exit status " + strconv.Itoa(int(c)) }

// exit turns a command's exit code into what a cobra RunE returns.
func exit(code int) error {
	if code == exitOK {
		return nil
	}
	return exitError(code)
}

// runWith adapts a command body that returns an exit code to cobra's RunE.
func runWith(e *env, body func(ctx context.Context, e *env, args []string) int) func(*cobra.Command, []string) error {
	return func(c *cobra.Command, args []string) error {
		return exit(body(c.Context(), e, args))
	}
}

// flagError is a flag the command line got wrong (unknown, bad value,
// missing argument), reported by pflag through cobra.
type flagError struct {
	cmd string // "supctl vet"
	err error
}

func (f *flagError) Error() string { return f.cmd + ": " + f.err.Error() }
func (f *flagError) Unwrap() error { return f.err }

// newRoot builds the supctl command tree for one run.
func newRoot(e *env) *cobra.Command {
	var showVersion bool
	root := &cobra.Command{
		Use:           "supctl",
		Short:         "supctl keeps Configuration Manager software update points as code.",
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(c *cobra.Command, _ []string) error {
			if !checkEverywhereFlags(e, c) {
				return exit(exitUsage)
			}
			return nil
		},
		RunE: func(c *cobra.Command, _ []string) error {
			if showVersion {
				return exit(runVersion(c.Context(), e, "text"))
			}
			rootUsage(e.stderr, c)
			return exit(exitUsage)
		},
	}
	root.Flags().BoolVarP(&showVersion, "version", "v", false, "print the version of supctl")
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &flagError{cmd: c.CommandPath(), err: err}
	})
	// A command's help goes to stderr, like pflag's before; supctl --help
	// and supctl help, the overview, go to stdout.
	root.SetHelpFunc(func(c *cobra.Command, _ []string) {
		if c == root {
			rootUsage(e.stdout, c)
			return
		}
		commandHelp(e.stderr, c)
	})
	root.SetHelpCommand(&cobra.Command{
		Use:   "help [COMMAND]",
		Short: "show the help of a command",
		ValidArgsFunction: func(c *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var names []cobra.Completion
			for _, sub := range root.Commands() {
				if sub.IsAvailableCommand() {
					names = append(names, cobra.CompletionWithDesc(sub.Name(), sub.Short))
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			target, rest, err := root.Find(args)
			if err != nil {
				return err
			}
			if len(rest) > 0 {
				return fmt.Errorf("unknown command %q", strings.Join(rest, " "))
			}
			return target.Help()
		},
	})
	for _, newCmd := range newCommands {
		c := newCmd(e)
		addEverywhereFlags(c)
		root.AddCommand(c)
	}
	// cobra's completion command writes the script of the shell named; an
	// unknown shell is a usage error, and no shell at all shows the help.
	root.InitDefaultCompletionCmd()
	if comp, _, err := root.Find([]string{"completion"}); err == nil && comp != root {
		comp.RunE = func(c *cobra.Command, _ []string) error {
			commandHelp(e.stderr, c)
			return exit(exitUsage)
		}
	}
	return root
}

// run runs the command line args and returns the exit code (SPEC §4). Every
// error cobra itself returns (unknown command or flag, bad flag value) is a
// usage error, exit 3.
func run(ctx context.Context, e *env, args []string) int {
	root := newRoot(e)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	var code exitError
	var flagErr *flagError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &code):
		return int(code)
	case errors.As(err, &flagErr):
		fmt.Fprintf(e.stderr, "%v (see --help)\n", flagErr)
	default:
		fmt.Fprintf(e.stderr, "supctl: %s (run 'supctl help')\n", strings.TrimSpace(err.Error()))
	}
	return exitUsage
}

// rootUsage writes the overview: every command with its summary, and the
// exit codes.
func rootUsage(w io.Writer, root *cobra.Command) {
	var b strings.Builder
	b.WriteString(root.Short + "\n\nUsage:\n")
	for _, c := range root.Commands() {
		if c.IsAvailableCommand() || c.Name() == "help" {
			fmt.Fprintf(&b, "  supctl %-10s %s\n", c.Name(), c.Short)
		}
	}
	b.WriteString("\nRun 'supctl COMMAND --help' for a command's flags and examples.\n")
	b.WriteString("Exit codes: 0 ok, 1 findings, 2 changes pending (plan --detailed-exitcode, apply cancelled),\n3 usage, 4 target error, 5 verification failed.\n")
	io.WriteString(w, b.String())
}

// commandHelp writes a command's help: synopsis, summary, description,
// examples and its own flags.
func commandHelp(w io.Writer, c *cobra.Command) {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: %s%s\n\n%s\n", c.CommandPath(), strings.TrimPrefix(c.Use, c.Name()), c.Short)
	if c.Long != "" {
		fmt.Fprintf(&b, "\n%s\n", strings.TrimSpace(c.Long))
	}
	if c.Example != "" {
		fmt.Fprintf(&b, "\nExamples:\n%s\n", strings.TrimRight(c.Example, "\n"))
	}
	if c.HasAvailableSubCommands() {
		b.WriteString("\nCommands:\n")
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() {
				fmt.Fprintf(&b, "  %-12s %s\n", sub.Name(), sub.Short)
			}
		}
	}
	if c.HasAvailableLocalFlags() {
		fmt.Fprintf(&b, "\nFlags:\n%s", c.LocalFlags().FlagUsages())
	}
	io.WriteString(w, b.String())
}
