package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// subcommand is one command, as the help lists it.
type subcommand struct{ name, args, summary string }

// commands are every subcommand, each with its line in the help.
var commands = []subcommand{
	{"serve", "", "run the web server (the default)"},
	{"migrate", "", "apply database migrations and exit"},
	{"projections status", "", "show each read model's position and lag"},
	{"projections rebuild", "[NAME]", "replay a read model, or every one, from the first event"},
	{"events catalogue", "", "write the catalogue of the messages other systems receive (docs/events)"},
	{"notify", "", "email guests about their orders, from the public events on RabbitMQ"},
	{"staff add", "NAME", "add a staff member; the password is read from standard input"},
	{"bench", "", "a mixed load (guests, cooks, screens) beside a bare handler and pgbench"},
	{"bench store", "", "the event store's appends and reads beside pgbench's insert and COPY"},
	{"bench http", "", "the menu page and the add-item command under wrk"},
	{"bench live", "", "commit-to-screen latency and memory per live screen"},
	{"bench rebuild", "", "every read model rebuilt from a log of orders beside a COPY"},
	{"bench chain", "", "restaurants of a chain on one server, in one log or a database each"},
	{"bench start", "", "time from starting the server to its first page, on a new DATA_DIR and again"},
	{"help", "[COMMAND]", "show this list, or a command's flags"},
}

// usage lists every subcommand, one line each.
func usage() string {
	var b strings.Builder
	b.WriteString("usage: restaurant [command] [flags]\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-28s %s\n", strings.TrimSpace(c.name+" "+c.args), c.summary)
	}
	b.WriteString("\nRun \"restaurant COMMAND -h\" for a command's flags.\n")
	return b.String()
}

// commandsOf prints the lines of the subcommands under one, e.g. "staff".
func commandsOf(out io.Writer, parent string) {
	fmt.Fprintln(out, "commands:")
	for _, c := range commands {
		if strings.HasPrefix(c.name, parent+" ") {
			fmt.Fprintf(out, "  %-28s %s\n", strings.TrimSpace(c.name+" "+c.args), c.summary)
		}
	}
	fmt.Fprintf(out, "\nRun \"restaurant %s COMMAND -h\" for a command's flags.\n", parent)
}

// isHelp says whether an argument asks for help.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help":
		return true
	}
	return false
}

// setUsage makes a subcommand's -h start with its line from the list.
func setUsage(fs *flag.FlagSet, name string, out io.Writer) {
	fs.Usage = func() {
		line := "restaurant " + name + " [flags]"
		for _, c := range commands {
			if c.name == name {
				line = strings.TrimSpace("restaurant "+c.name+" "+c.args) + " [flags]\n  " + c.summary
			}
		}
		fmt.Fprintf(out, "usage: %s\n\nflags:\n", line)
		fs.PrintDefaults()
		for _, c := range commands {
			if strings.HasPrefix(c.name, name+" ") {
				fmt.Fprintln(out)
				commandsOf(out, name)
				return
			}
		}
	}
}

// helped turns a request for help, answered already, into success.
func helped(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}
