package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/supctl/supctl/schema"
	"github.com/supctl/supctl/schema/editorschema"
)

func init() { register(newSchemaCmd) }

// schemaFormats are the output formats of supctl schema.
var schemaFormats = []string{"jsonschema", "cue"}

func newSchemaCmd(e *env) *cobra.Command {
	var format string
	c := newCommand("schema [--format jsonschema|cue]", "print the schema of a config file, for editors and other tools", `  # JSON Schema for yaml-language-server and VS Code (see the README).
  supctl schema > supctl.schema.json

  # The CUE schema supctl embeds (the contract, SPEC §2).
  supctl schema --format cue`)
	c.Args = cobra.NoArgs
	c.RunE = runWith(e, func(ctx context.Context, e *env, _ []string) int { return runSchema(ctx, e, format) })
	c.Flags().StringVar(&format, "format", "jsonschema", "output format: jsonschema|cue")
	completeValues(c, "format", schemaFormats...)
	return c
}

func runSchema(_ context.Context, e *env, format string) int {
	if !checkEnum(e, "schema", "format", format, schemaFormats...) {
		return exitUsage
	}
	out := schema.Source()
	if format == "jsonschema" {
		var err error
		if out, err = editorschema.JSONSchema(); err != nil {
			fmt.Fprintf(e.stderr, "supctl schema: %v\n", err)
			return exitFindings
		}
	}
	if _, err := e.stdout.Write(out); err != nil {
		fmt.Fprintf(e.stderr, "supctl schema: write output: %v\n", err)
		return exitFindings
	}
	return exitOK
}
