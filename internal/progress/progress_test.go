package progress

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestABufferOrAFileIsNoTerminal(t *testing.T) {
	if IsTerminal(&bytes.Buffer{}) {
		t.Error("a buffer is taken for a terminal")
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f) {
		t.Error("a file is taken for a terminal")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if IsTerminal(w) {
		t.Error("a pipe is taken for a terminal")
	}
}

// Written to a file, the progress is one plain line per tenth of the way,
// with no carriage return, ending at 100 %.
func TestProgressToAFileIsALinePerTenth(t *testing.T) {
	var out bytes.Buffer
	l := New(&out, "rebuilding menu")
	if l.Terminal {
		t.Fatal("a buffer is taken for a terminal")
	}
	clock := time.Unix(0, 0)
	l.now = func() time.Time { return clock }
	const total = 1000150
	for done := int64(0); done < total; done += 1000 {
		l.Update(done, total)
	}
	l.Update(total, total)
	l.Finish()
	if strings.Contains(out.String(), "\r") {
		t.Fatalf("a carriage return in a file:\n%q", out.String())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 11 {
		t.Fatalf("%d lines, want one per tenth from 0 to 100 %%:\n%s", len(lines), &out)
	}
	if !strings.HasPrefix(lines[3], "rebuilding menu: 301000 of 1000150 events (30 %)") {
		t.Errorf("the fourth line is %q, want about 30 %%", lines[3])
	}
	if want := "rebuilding menu: 1000150 of 1000150 events (100 %)"; lines[10] != want {
		t.Errorf("the last line is %q, want %q", lines[10], want)
	}
}

// A slow step still says something every so often, between tenths, but
// only when it has moved.
func TestProgressToAFileSpeaksEveryFewSecondsWhenSlow(t *testing.T) {
	var out bytes.Buffer
	l := New(&out, "filling the log")
	clock := time.Unix(0, 0)
	l.now = func() time.Time { return clock }
	l.Every = 5 * time.Second
	l.Update(1, 1000) // 0 %: the first line
	clock = clock.Add(6 * time.Second)
	l.Update(2, 1000) // still 0 %, but 6 s later
	clock = clock.Add(time.Second)
	l.Update(3, 1000) // 1 s after the last line: wait
	clock = clock.Add(6 * time.Second)
	l.Update(3, 1000) // moved since the last line, 7 s ago
	clock = clock.Add(7 * time.Second)
	l.Update(3, 1000) // no progress: nothing new to say
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	want := []string{"filling the log: 1 of 1000 events (0 %)", "filling the log: 2 of 1000 events (0 %)", "filling the log: 3 of 1000 events (0 %)"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("lines %q, want %q", got, want)
	}
}

// On a terminal the line is redrawn in place and closed at the end.
func TestProgressOnATerminalRedrawsOneLine(t *testing.T) {
	var out bytes.Buffer
	l := New(&out, "rebuilding menu")
	l.Terminal = true
	clock := time.Unix(0, 0)
	l.now = func() time.Time { return clock }
	for done := int64(100); done <= 1000; done += 100 {
		clock = clock.Add(time.Second)
		l.Update(done, 1000)
	}
	l.Finish()
	s := out.String()
	if strings.Count(s, "\n") != 1 || !strings.HasSuffix(s, "\n") {
		t.Fatalf("want one line, closed at the end: %q", s)
	}
	if strings.Count(s, "\r") != 10 {
		t.Fatalf("want a redraw per update: %q", s)
	}
	if !strings.HasSuffix(s, "\rrebuilding menu: 1000 of 1000 events (100 %)\n") {
		t.Errorf("the last redraw is not the whole: %q", s)
	}
}
