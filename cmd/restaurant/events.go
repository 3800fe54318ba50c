package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"restaurant/internal/integration"
)

// runEvents serves the commands about the integration messages other
// systems receive: "events catalogue" writes their catalogue.
func runEvents(_ context.Context, args []string, _ func(string) string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "catalogue" {
		if len(args) > 0 && isHelp(args[0]) {
			commandsOf(stdout, "events")
			return nil
		}
		return fmt.Errorf("usage: restaurant events catalogue [-out DIR]")
	}
	fs := flag.NewFlagSet("events catalogue", flag.ContinueOnError)
	fs.SetOutput(stdout)
	setUsage(fs, "events catalogue", stdout)
	out := fs.String("out", "docs/events", "the folder to write catalogue.md and one <type>.schema.json per message type into")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if err := integration.WriteCatalogue(*out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote the catalogue of %d message types to %s\n", len(integration.Specs()), *out)
	return nil
}
