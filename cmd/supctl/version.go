package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/supctl/supctl/cmd/internal/buildinfo"
)

func init() { register(newVersionCmd) }

func newVersionCmd(e *env) *cobra.Command {
	var format string
	c := newCommand("version [--format text|json]", "print the version, commit and Go version of supctl", `  supctl version
  supctl --version

  # For scripts: {"version": …, "commit": …, "goVersion": …, "platform": …}
  supctl version --format json`)
	c.Args = cobra.NoArgs
	c.RunE = runWith(e, func(ctx context.Context, e *env, _ []string) int { return runVersion(ctx, e, format) })
	c.Flags().StringVar(&format, "format", "text", "output format: text|json")
	completeValues(c, "format", "text", "json")
	return c
}

// runVersion prints the build information: one line, or JSON.
func runVersion(_ context.Context, e *env, format string) int {
	if !checkEnum(e, "version", "format", format, "text", "json") {
		return exitUsage
	}
	in := buildinfo.Get()
	var err error
	if format == "json" {
		var b []byte
		if b, err = json.MarshalIndent(in, "", "  "); err == nil {
			_, err = fmt.Fprintf(e.stdout, "%s\n", b)
		}
	} else {
		_, err = fmt.Fprintf(e.stdout, "supctl %s\n", in)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "supctl version: write output: %v\n", err)
		return exitFindings
	}
	return exitOK
}
