package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/supctl/supctl/reconcile/supd/windows"
)

func init() { register(newExportCmd) }

// newExportCmd is "supctl export": texts for change windows without an agent (SPEC §5.9).
func newExportCmd(e *env) *cobra.Command {
	c := newCommand("export read-script", "print scripts for change windows without an agent", `  # The windows backend's read, to run on each server; it writes FQDN.json.
  supctl export read-script > read.ps1`)
	c.Args = cobra.NoArgs
	c.RunE = func(c *cobra.Command, _ []string) error {
		commandHelp(e.stderr, c)
		return exit(exitUsage)
	}
	read := newCommand("read-script", "print the windows backend's read as a script that writes FQDN.json", `  supctl export read-script > read.ps1
  # on each server:
  powershell.exe -NoProfile -ExecutionPolicy Bypass -File read.ps1 -OutDir \\fileserver\change\observed`)
	read.Args = cobra.NoArgs
	read.RunE = runWith(e, func(_ context.Context, e *env, _ []string) int {
		if _, err := io.WriteString(e.stdout, windows.ExportedReadScript()); err != nil {
			fmt.Fprintf(e.stderr, "supctl export read-script: write output: %v\n", err)
			return exitTarget
		}
		return exitOK
	})
	c.AddCommand(read)
	return c
}
