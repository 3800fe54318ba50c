package main

import (
	"context"
	"fmt"
	"io"
)

// migrate brings the database schema up to date and exits.
func migrate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, cfg := flags("migrate", getenv, stdout)
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := openApp(ctx, cfg) // opening applies the migrations
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintln(stdout, "database schema is up to date")
	return nil
}
