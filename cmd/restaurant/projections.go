package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/schollz/progressbar/v3"

	"restaurant/internal/progress"
	"restaurant/projections"
)

// runProjections is "restaurant projections status|rebuild [NAME]".
func runProjections(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || (args[0] != "status" && args[0] != "rebuild") {
		if len(args) > 0 && isHelp(args[0]) {
			commandsOf(stdout, "projections")
			return nil
		}
		return fmt.Errorf("usage: restaurant projections status | rebuild [NAME]")
	}
	action, args := args[0], args[1:]
	fs, cfg := flags("projections "+action, getenv, stdout)
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	all := projections.All()
	chosen := all
	if name := fs.Arg(0); name != "" {
		chosen = nil
		for _, p := range all {
			if p.Name() == name {
				chosen = append(chosen, p)
			}
		}
		if chosen == nil {
			return fmt.Errorf("no projection named %q", name)
		}
	}
	if action == "rebuild" { // read models only: a policy is not replayed
		names := make([]string, len(chosen))
		for i, p := range chosen {
			names[i] = p.Name()
		}
		report, finish := rebuildProgress(stdout, "rebuilding "+strings.Join(names, ", "))
		n, err := projections.RebuildAll(ctx, a.Store, chosen, report)
		finish()
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\n%s rebuilt from %d events\n", strings.Join(names, ", "), n)
	}
	if fs.Arg(0) == "" {
		chosen = append(chosen, projections.Policies(a.Store)...) // their lag, not rebuilt
	}
	statuses, err := projections.Statuses(ctx, a.Store, chosen)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROJECTION\tPOSITION\tLAG (EVENTS)\tLAG (SECONDS)\tLAST ERROR")
	for _, s := range statuses {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%s\n", s.Name, s.Position, s.LagEvents, s.LagSeconds, s.LastError)
	}
	return tw.Flush()
}

// rebuildProgress reports a rebuild's progress: a bar on a terminal, and
// one plain line per tenth of the way in a file or a pipe, where a bar's
// carriage returns would run together on one line. It returns the reporter
// and a function that ends the report.
func rebuildProgress(stdout io.Writer, what string) (report func(done, total int64), finish func()) {
	if !progress.IsTerminal(stdout) {
		l := progress.New(stdout, what)
		return l.Update, l.Finish
	}
	// The bar is made once the number of events is known: a bar of unknown
	// length redraws itself from a goroutine of its own that reads the
	// bar's state unguarded.
	var bar *progressbar.ProgressBar
	return func(done, total int64) {
			if bar == nil {
				bar = progressbar.NewOptions64(max(total, done), progressbar.OptionSetWriter(stdout),
					progressbar.OptionSetDescription(what),
					progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("events"))
			}
			bar.ChangeMax64(max(total, done))
			_ = bar.Set64(done)
		}, func() {
			if bar != nil {
				_ = bar.Finish()
			}
		}
}
