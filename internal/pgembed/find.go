package pgembed

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// ErrNotInstalled means no PostgreSQL server binaries were found. Its message
// is the paragraph a person needs to fix it.
var ErrNotInstalled = errors.New(`PostgreSQL server binaries (initdb and postgres) were not found ` +
	`in PATH, in "pg_config --bindir", nor in /usr/lib/postgresql/*/bin. ` +
	`Install PostgreSQL 15 or newer (Debian and Ubuntu: "apt-get install postgresql"; ` +
	`Fedora: "dnf install postgresql-server"; macOS: "brew install postgresql@16"), ` +
	`or set DATABASE_URL to an existing server, for example ` +
	`DATABASE_URL=postgres://user:password@localhost:5432/restaurant`)

// defaultSearchDirs lists where distributions put the server binaries, newest
// major version first.
func defaultSearchDirs() []string {
	var dirs []string
	if p, err := exec.LookPath("initdb"); err == nil {
		dirs = append(dirs, filepath.Dir(p))
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dirs = append(dirs, strings.TrimSpace(string(out)))
	}
	for _, pattern := range []string{
		"/usr/lib/postgresql/*/bin",
		"/usr/pgsql-*/bin",
		"/opt/homebrew/opt/postgresql@*/bin",
		"/usr/local/opt/postgresql@*/bin",
	} {
		matches, _ := filepath.Glob(pattern)
		sort.Slice(matches, func(i, j int) bool { return majorOf(matches[i]) > majorOf(matches[j]) })
		dirs = append(dirs, matches...)
	}
	return append(dirs, "/usr/local/pgsql/bin")
}

// majorOf pulls the major version out of a path like /usr/lib/postgresql/15/bin.
func majorOf(path string) int {
	for _, part := range strings.FieldsFunc(path, func(r rune) bool { return r == '/' || r == '@' || r == '-' }) {
		if n, err := strconv.Atoi(part); err == nil {
			return n
		}
	}
	return 0
}

// FindBinaries returns the first directory holding both initdb and postgres,
// preferring the major version of an existing cluster (a newer PostgreSQL
// cannot open an older cluster without pg_upgrade). An empty search list
// means the usual places.
func FindBinaries(search []string, preferMajor int) (string, error) {
	if len(search) == 0 {
		search = defaultSearchDirs()
	}
	if preferMajor > 0 {
		for _, dir := range search {
			if majorOf(dir) == preferMajor && isExecutable(filepath.Join(dir, "postgres")) && isExecutable(filepath.Join(dir, "initdb")) {
				return dir, nil
			}
		}
	}
	for _, dir := range search {
		if isExecutable(filepath.Join(dir, "initdb")) && isExecutable(filepath.Join(dir, "postgres")) {
			return dir, nil
		}
	}
	return "", fmt.Errorf("%w (searched %s)", ErrNotInstalled, strings.Join(search, ", "))
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}
