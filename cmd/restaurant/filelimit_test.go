package main

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// A process whose soft limit on open files is below its hard limit lifts it
// to the hard one, and says it did. The test runs in a process of its own,
// since lowering the limit here would touch every test beside it.
func TestTheFileLimitIsRaisedToTheHardLimit(t *testing.T) {
	if os.Getenv("RESTAURANT_FILE_LIMIT_CHILD") == "1" {
		raiseInChild(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestTheFileLimitIsRaisedToTheHardLimit$", "-test.v")
	cmd.Env = append(os.Environ(), "RESTAURANT_FILE_LIMIT_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the child failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "soft limit raised from 64 to") {
		t.Fatalf("the child does not say it raised the limit:\n%s", out)
	}
}

func raiseInChild(t *testing.T) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		t.Fatal(err)
	}
	if rl.Max <= 64 {
		t.Skipf("the hard limit is %d: nothing to raise to", rl.Max)
	}
	low := syscall.Rlimit{Cur: 64, Max: rl.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Fatal(err)
	}
	fl, err := raiseFileLimit()
	if err != nil {
		t.Fatal(err)
	}
	if !fl.Raised() || fl.Before != 64 || fl.Soft != rl.Max || fl.Hard != rl.Max {
		t.Fatalf("raised %+v, want from 64 to %d", fl, rl.Max)
	}
	soft, hard, err := processFileLimit(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if soft != rl.Max || hard != rl.Max {
		t.Fatalf("/proc says soft %d hard %d, want both %d", soft, hard, rl.Max)
	}
	again, err := raiseFileLimit()
	if err != nil || again.Raised() || !strings.Contains(again.String(), "already the hard limit") {
		t.Fatalf("a second raise gives %+v %v (%s), want nothing to do", again, err, again)
	}
	t.Log(fl.String())
}
