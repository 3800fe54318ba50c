package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// fileLimit is a process's limit on open files (RLIMIT_NOFILE): every
// socket is one, so it bounds the screens a server holds and a benchmark
// connects.
type fileLimit struct {
	Before, Soft, Hard uint64
}

// Raised says whether raiseFileLimit moved the soft limit.
func (l fileLimit) Raised() bool { return l.Soft > l.Before }

func (l fileLimit) String() string {
	if l.Raised() {
		return fmt.Sprintf("open files: soft limit raised from %d to %d (the hard limit)", l.Before, l.Soft)
	}
	return fmt.Sprintf("open files: soft limit %d, already the hard limit %d", l.Soft, l.Hard)
}

// raiseFileLimit lifts this process's soft limit on open files to its hard
// limit, which an unprivileged process may do. (Go's runtime does the same
// when package os starts, and sets the soft limit back for the processes
// it starts; so a Go process mostly finds it done, and this says so.)
func raiseFileLimit() (fileLimit, error) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return fileLimit{}, fmt.Errorf("read the open files limit: %w", err)
	}
	l := fileLimit{Before: rl.Cur, Soft: rl.Cur, Hard: rl.Max}
	if rl.Cur >= rl.Max {
		return l, nil
	}
	rl.Cur = rl.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return l, fmt.Errorf("raise the open files limit to %d: %w", rl.Max, err)
	}
	l.Soft = rl.Max
	return l, nil
}

// processFileLimit reads another process's soft and hard limits on open
// files from /proc.
func processFileLimit(pid int) (soft, hard uint64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/limits", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("read the open files limit of process %d: %w", pid, err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		rest, ok := strings.CutPrefix(line, "Max open files")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 2 {
			break
		}
		if soft, err = strconv.ParseUint(f[0], 10, 64); err == nil {
			hard, err = strconv.ParseUint(f[1], 10, 64)
		}
		if err != nil {
			return 0, 0, fmt.Errorf("read the open files limit of process %d: %w", pid, err)
		}
		return soft, hard, nil
	}
	return 0, 0, fmt.Errorf("read the open files limit of process %d: no line for it", pid)
}
