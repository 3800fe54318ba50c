// Command restaurant is the event-sourced restaurant: the web server and its
// operator's tools.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	// The time zones travel with the binary, for machines without zoneinfo.
	_ "time/tzdata"
)

// defaultGCPercent trades memory for CPU: the server's live heap is small
// (batches of events, idle sockets), and at Go's default of 100 it collects
// so often that decoding events costs twice the CPU (see BENCHMARKS.md).
// GOGC in the environment overrides it.
const defaultGCPercent = 400

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "restaurant:", err)
		os.Exit(1)
	}
}

// run dispatches to a subcommand; everything is wired inside it, so tests
// can run the real program in-process.
// A request for help (-h, --help, help) is answered on stdout and succeeds.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	return helped(dispatch(ctx, args, getenv, stdin, stdout))
}

func dispatch(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	name := "serve"
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprint(stdout, usage())
		return nil
	}
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	switch name {
	case "serve":
		return serve(ctx, args, getenv, stdout)
	case "migrate":
		return migrate(ctx, args, getenv, stdout)
	case "staff":
		return runStaff(ctx, args, getenv, stdin, stdout)
	case "projections":
		return runProjections(ctx, args, getenv, stdout)
	case "bench":
		return runBench(ctx, args, getenv, stdout)
	case "events":
		return runEvents(ctx, args, getenv, stdout)
	case "notify":
		return runNotify(ctx, args, getenv, stdout)
	case "help":
		if len(args) > 0 {
			return dispatch(ctx, append(args, "-h"), getenv, stdin, stdout)
		}
		fmt.Fprint(stdout, usage())
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", name, usage())
}
