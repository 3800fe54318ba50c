// Package pgembed runs a private PostgreSQL server from the binaries installed
// on the machine: initdb once into a data directory, then postgres on a unix
// socket in a fresh directory, with no TCP port. The server dies with the
// process that started it, even when that process is killed.
package pgembed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Options say where the cluster lives and how it behaves.
type Options struct {
	// DataDir is the server's home; the cluster is DataDir/postgres and its
	// log DataDir/postgres.log. Created on first use.
	DataDir string
	// BinDirs lists where to look for initdb and postgres; empty means the
	// usual places (see FindBinaries).
	BinDirs []string
	// Throwaway trades durability for speed (fsync off): for tests only.
	Throwaway bool
	// StartTimeout bounds how long to wait for the server to accept
	// connections; zero means one minute.
	StartTimeout time.Duration
}

// Server is a running PostgreSQL.
type Server struct {
	dataDir   string
	socketDir string
	proc      *os.Process
	exited    chan struct{}
	waitErr   error
	logPath   string
}

// Start initialises the cluster if needed and starts the server.
func Start(ctx context.Context, opts Options) (*Server, error) {
	dataDir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	cluster := filepath.Join(dataDir, "postgres")
	bin, err := FindBinaries(opts.BinDirs, clusterMajor(cluster))
	if err != nil {
		return nil, err
	}
	owner, err := runAs()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	if err := owner.canReach(dataDir); err != nil {
		return nil, err
	}
	// One starter at a time per data directory: two servers started at once
	// must not both run initdb.
	unlock, err := lockDir(dataDir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := ensureCluster(ctx, bin, cluster, owner, opts.Throwaway); err != nil {
		return nil, err
	}
	socketDir, err := socketDirFor(dataDir)
	if err != nil {
		return nil, err
	}
	if err := owner.chown(socketDir); err != nil {
		os.RemoveAll(socketDir)
		return nil, err
	}
	s := &Server{
		dataDir:   dataDir,
		socketDir: socketDir,
		exited:    make(chan struct{}),
		logPath:   filepath.Join(dataDir, "postgres.log"),
	}
	logFile, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		os.RemoveAll(socketDir)
		return nil, fmt.Errorf("postgres log: %w", err)
	}
	defer logFile.Close()
	args := []string{"-D", cluster, "-k", socketDir, "-c", "listen_addresses=", "-c", "max_connections=300"}
	if opts.Throwaway {
		// A few prepared transactions are allowed so that tests can hold
		// the event store's fence the way a distributed transaction would.
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
			"-c", "max_prepared_transactions=10")
	}
	cmd := exec.Command(filepath.Join(bin, "postgres"), args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = owner.sysProcAttr()
	if err := s.launch(cmd); err != nil {
		os.RemoveAll(socketDir)
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	timeout := opts.StartTimeout
	if timeout == 0 {
		timeout = time.Minute
	}
	if err := s.waitReady(ctx, timeout); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// launch starts postgres from a goroutine that keeps its OS thread locked for
// the child's whole life: Linux delivers the parent-death signal when the
// thread that forked the child exits, not the process (golang/go#27505).
func (s *Server) launch(cmd *exec.Cmd) error {
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// The thread is never unlocked: it ends with the goroutine, after the
		// child has exited.
		if err := cmd.Start(); err != nil {
			started <- err
			close(s.exited)
			return
		}
		s.proc = cmd.Process
		started <- nil
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	return <-started
}

func (s *Server) waitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// A refused connection costs microseconds, and the server is often up
	// within a tenth of a second: look often, so the start waits little
	// past the moment it accepts.
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		conn, err := pgconn.Connect(ctx, s.ConnString("postgres"))
		if err == nil {
			conn.Close(ctx)
			return nil
		}
		select {
		case <-s.exited:
			tail := s.logTail()
			if strings.Contains(tail, "postmaster.pid") {
				return fmt.Errorf("another PostgreSQL already runs on %s: is another restaurant server using this DATA_DIR? (its log ends:\n%s)", s.dataDir, tail)
			}
			return fmt.Errorf("postgres exited during start (%v); its log ends:\n%s", s.waitErr, tail)
		case <-ctx.Done():
			return fmt.Errorf("postgres did not accept connections within %s: %w; its log ends:\n%s", timeout, err, s.logTail())
		case <-tick.C:
		}
	}
}

// ConnString is a libpq connection string for a database on this server.
func (s *Server) ConnString(database string) string {
	return fmt.Sprintf("host=%s port=5432 user=postgres dbname=%s sslmode=disable", s.socketDir, database)
}

// URL is ConnString in URL form, for tools that want one.
func (s *Server) URL(database string) string {
	return fmt.Sprintf("postgres://postgres@/%s?host=%s&sslmode=disable", database, s.socketDir)
}

// PID is the postmaster's process id.
func (s *Server) PID() int { return s.proc.Pid }

// Stop shuts the server down (fast mode: sessions are ended, data is
// checkpointed) and waits for it; it escalates if the server hangs.
func (s *Server) Stop() error {
	defer os.RemoveAll(s.socketDir)
	for _, step := range []struct {
		sig  syscall.Signal
		wait time.Duration
	}{{syscall.SIGINT, time.Minute}, {syscall.SIGQUIT, 10 * time.Second}, {syscall.SIGKILL, 10 * time.Second}} {
		select {
		case <-s.exited:
			return nil
		default:
		}
		if s.proc != nil {
			_ = s.proc.Signal(step.sig)
		}
		select {
		case <-s.exited:
			return nil
		case <-time.After(step.wait):
		}
	}
	return errors.New("postgres did not stop")
}

// Exited is closed when the server process has ended.
func (s *Server) Exited() <-chan struct{} { return s.exited }

func (s *Server) logTail() string {
	f, err := os.Open(s.logPath)
	if err != nil {
		return ""
	}
	defer f.Close()
	const tail = 2048
	if fi, err := f.Stat(); err == nil && fi.Size() > tail {
		_, _ = f.Seek(-tail, io.SeekEnd)
	}
	b, _ := io.ReadAll(f)
	return string(b)
}

// ensureCluster runs initdb unless the cluster exists. It initialises into a
// scratch directory and renames it into place, so an interrupted initdb never
// leaves a half-made cluster behind.
func ensureCluster(ctx context.Context, bin, cluster string, owner *account, throwaway bool) error {
	if _, err := os.Stat(filepath.Join(cluster, "PG_VERSION")); err == nil {
		return nil
	}
	scratch := cluster + ".initdb"
	if err := os.RemoveAll(scratch); err != nil {
		return fmt.Errorf("remove unfinished cluster: %w", err)
	}
	if err := os.Mkdir(scratch, 0o700); err != nil {
		return fmt.Errorf("create cluster directory: %w", err)
	}
	if err := owner.chown(scratch); err != nil {
		return err
	}
	args := []string{"-D", scratch, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-locale"}
	if throwaway {
		args = append(args, "--no-sync")
	}
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "initdb"), args...)
	cmd.SysProcAttr = owner.sysProcAttr()
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %w: %s", err, out)
	}
	if err := os.Rename(scratch, cluster); err != nil {
		return fmt.Errorf("move cluster into place: %w", err)
	}
	return nil
}

// socketDirFor makes the directory for the server's socket: inside the data
// directory, so a killed server leaves nothing elsewhere, unless that path is
// too long for a unix socket (about 107 bytes), then under the temporary
// directory.
func socketDirFor(dataDir string) (string, error) {
	dir := filepath.Join(dataDir, "run")
	if len(dir)+len("/.s.PGSQL.5432.lock") < 100 {
		if err := os.RemoveAll(dir); err != nil {
			return "", fmt.Errorf("socket directory: %w", err)
		}
		if err := os.Mkdir(dir, 0o700); err != nil {
			return "", fmt.Errorf("socket directory: %w", err)
		}
		return dir, nil
	}
	dir, err := os.MkdirTemp("", "pg-")
	if err != nil {
		return "", fmt.Errorf("socket directory: %w", err)
	}
	return dir, nil
}

// clusterMajor reads the major version of an existing cluster, or 0.
func clusterMajor(cluster string) int {
	b, err := os.ReadFile(filepath.Join(cluster, "PG_VERSION"))
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
}

// lockDir takes an exclusive lock on the data directory until unlock.
func lockDir(dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, "start.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock data directory: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock data directory: %w", err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// account is the unprivileged user PostgreSQL runs as; nil means the current
// user. PostgreSQL refuses to run as root, so root hands it to "postgres".
type account struct{ uid, gid uint32 }

func runAs() (*account, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL refuses to run as root and there is no \"postgres\" user to run it as: create one (useradd --system postgres) or run as another user: %w", err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("postgres uid: %w", err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("postgres gid: %w", err)
	}
	return &account{uid: uint32(uid), gid: uint32(gid)}, nil
}

func (a *account) chown(path string) error {
	if a == nil {
		return nil
	}
	if err := os.Chown(path, int(a.uid), int(a.gid)); err != nil {
		return fmt.Errorf("hand %s to the postgres user: %w", path, err)
	}
	return nil
}

// canReach checks that the postgres user can enter dir, which needs search
// permission on every parent: a data directory under /root, say, is not
// reachable, and initdb's own message would not say why.
func (a *account) canReach(dir string) error {
	if a == nil {
		return nil
	}
	for d := dir; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return fmt.Errorf("data directory: %w", err)
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		reachable := fi.Mode().Perm()&0o001 != 0 ||
			(ok && st.Uid == a.uid && fi.Mode().Perm()&0o100 != 0) ||
			(ok && st.Gid == a.gid && fi.Mode().Perm()&0o010 != 0)
		if !reachable {
			return fmt.Errorf("PostgreSQL runs as the postgres user, which cannot enter %s (needed to reach %s): "+
				"choose a DATA_DIR elsewhere, or allow it with chmod o+x %s", d, dir, d)
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

func (a *account) sysProcAttr() *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGQUIT}
	if a != nil {
		attr.Credential = &syscall.Credential{Uid: a.uid, Gid: a.gid}
	}
	return attr
}
