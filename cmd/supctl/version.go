package main

import (
	"context"
	"fmt"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func init() {
	register(&command{
		name: "version", usage: "version", summary: "print the version of supctl",
		run: runVersion,
	})
}

func runVersion(_ context.Context, e *env, args []string) int {
	var common commonFlags
	fs := newFlagSet(commands["version"], e, &common)
	if done, code := parseFlags(fs, e, args); done {
		return code
	}
	v := version
	if bi, ok := debug.ReadBuildInfo(); ok && v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	fmt.Fprintf(e.stdout, "supctl %s\n", v)
	return exitOK
}
