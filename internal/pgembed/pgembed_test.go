package pgembed_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"restaurant/internal/pgembed"
	"restaurant/internal/testdb"
)

func start(t *testing.T, dir string) *pgembed.Server {
	t.Helper()
	s, err := pgembed.Start(context.Background(), pgembed.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDataSurvivesARestart(t *testing.T) {
	ctx := context.Background()
	dir := testdb.ReachableDir(t, "pgembed-test-")

	s := start(t, dir)
	if os.Geteuid() == 0 {
		if uid := processUID(t, s.PID()); uid == 0 {
			t.Fatal("postgres runs as root")
		}
	}
	conn, err := pgx.Connect(ctx, s.ConnString("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')`); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(strings.TrimPrefix(strings.Fields(s.ConnString("x"))[0], "host=")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket directory left behind: %v", err)
	}

	s = start(t, dir)
	defer s.Stop()
	conn, err = pgx.Connect(ctx, s.ConnString("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var note string
	if err := conn.QueryRow(ctx, `SELECT note FROM kept`).Scan(&note); err != nil || note != "still here" {
		t.Fatalf("after a restart read %q (%v)", note, err)
	}
}

func TestClearErrorWithoutBinaries(t *testing.T) {
	_, err := pgembed.Start(context.Background(), pgembed.Options{DataDir: testdb.ReachableDir(t, "pgembed-test-"), BinDirs: []string{t.TempDir()}})
	if !errors.Is(err, pgembed.ErrNotInstalled) {
		t.Fatalf("got %v, want ErrNotInstalled", err)
	}
	for _, want := range []string{"apt-get install postgresql", "DATABASE_URL", "initdb"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the message does not mention %q: %s", want, err)
		}
	}
}

// TestServerDiesWithItsParent kills a process that started a server with
// SIGKILL, which it cannot catch, and expects the server to go too.
func TestServerDiesWithItsParent(t *testing.T) {
	if dir := os.Getenv("PGEMBED_TEST_CHILD"); dir != "" {
		s, err := pgembed.Start(context.Background(), pgembed.Options{DataDir: dir, Throwaway: true})
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println("pid", s.PID())
		select {} // wait to be killed
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestServerDiesWithItsParent$")
	cmd.Env = append(os.Environ(), "PGEMBED_TEST_CHILD="+testdb.ReachableDir(t, "pgembed-test-"))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "pid ") {
		cmd.Process.Kill()
		t.Fatalf("child said %q (%v)", line, err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "pid ")))
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	deadline := time.Now().Add(30 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("postgres (pid %d) outlived the process that started it", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// alive reports whether pid is a running, non-zombie process.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	fields := strings.Fields(string(b))
	return len(fields) > 2 && fields[2] != "Z"
}

func processUID(t *testing.T, pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "Uid:" {
			uid, _ := strconv.Atoi(f[1])
			return uid
		}
	}
	t.Fatal("no Uid line")
	return -1
}

func TestUnreachableDataDirectorySaysWhy(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root hands PostgreSQL to another user; as any other user the directory is the user's own")
	}
	private, err := os.MkdirTemp("", "pgembed-private-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(private) // MkdirTemp makes it 0700: the postgres user cannot enter
	_, err = pgembed.Start(context.Background(), pgembed.Options{DataDir: private + "/data"})
	if err == nil || !strings.Contains(err.Error(), "cannot enter "+private) {
		t.Fatalf("got %v, want a message naming %s", err, private)
	}
}
