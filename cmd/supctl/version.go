package main

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func init() { register(newVersionCmd) }

func newVersionCmd(e *env) *cobra.Command {
	c := newCommand("version", "print the version of supctl", `  supctl version`)
	c.Args = cobra.NoArgs
	c.RunE = runWith(e, runVersion)
	return c
}

func runVersion(_ context.Context, e *env, _ []string) int {
	v := version
	if bi, ok := debug.ReadBuildInfo(); ok && v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	fmt.Fprintf(e.stdout, "supctl %s\n", v)
	return exitOK
}
