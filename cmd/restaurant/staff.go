package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"restaurant/domain/staff"
	"restaurant/internal/accounts"
)

// runStaff is "restaurant staff add NAME --role ROLE", the password read
// from standard input (one line), so it shows in no process list or history.
func runStaff(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	const usage = "usage: restaurant staff add NAME --role kitchen|manager  (password on standard input)"
	if len(args) == 0 || args[0] != "add" {
		if len(args) > 0 && isHelp(args[0]) {
			commandsOf(stdout, "staff")
			return nil
		}
		return errors.New(usage)
	}
	fs, cfg := flags("staff add", getenv, stdout)
	roleName := fs.String("role", "kitchen", "kitchen or manager")
	name, rest := "", args[1:]
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		name, rest = rest[0], rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		return err
	}
	if name == "" {
		name = fs.Arg(0)
	}
	if name == "" {
		return errors.New(usage)
	}
	role, err := staff.ParseRole(*roleName)
	if err != nil {
		return err
	}
	if f, ok := stdin.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			fmt.Fprint(stdout, "Password (at least 10 characters): ")
		}
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := (accounts.Accounts{Store: a.Store}).Add(ctx, name, role, password, "system:cli"); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "added %s as %s\n", name, role)
	return nil
}
