// Package progress reports how far a long step has come: on a terminal, one
// line redrawn in place; written to a file or a pipe, one plain line per
// tenth of the way (or every few seconds when steps are slow), so that a log
// reads line by line.
package progress

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// IsTerminal says whether w is a terminal (a character device): a buffer,
// a file or a pipe is not.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Line reports one step's progress to a writer, e.g. "rebuilding menu:
// 300000 of 1000150 events (30 %)". It is safe for concurrent use.
type Line struct {
	w    io.Writer
	what string
	// Terminal redraws one line with carriage returns; otherwise each
	// report is a line of its own.
	Terminal bool
	// Every is the longest a non-terminal report waits while some progress
	// is made; zero means ten seconds.
	Every time.Duration
	now   func() time.Time

	mu       sync.Mutex
	tenth    int64 // the last tenth reported, on a non-terminal
	reported int64 // events done at the last report
	at       time.Time
	drawn    bool // a terminal line is open
}

// New reports the progress of what to w, in the shape w calls for.
func New(w io.Writer, what string) *Line {
	return &Line{w: w, what: what, Terminal: IsTerminal(w), now: time.Now, tenth: -1, reported: -1}
}

// Update reports that done of total events are through; total may grow.
func (l *Line) Update(done, total int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	total = max(total, done)
	now := l.now()
	if l.Terminal {
		// A redraw at most every tenth of a second, and the last one.
		if done != total && now.Sub(l.at) < 100*time.Millisecond {
			return
		}
		fmt.Fprintf(l.w, "\r%s", l.text(done, total))
		l.at, l.reported, l.drawn = now, done, true
		return
	}
	every := l.Every
	if every == 0 {
		every = 10 * time.Second
	}
	tenth := int64(10)
	if total > 0 {
		tenth = done * 10 / total
	}
	if tenth == l.tenth && (done == l.reported || now.Sub(l.at) < every) {
		return
	}
	fmt.Fprintln(l.w, l.text(done, total))
	l.tenth, l.reported, l.at = tenth, done, now
}

// Finish ends the report: on a terminal, the line is closed.
func (l *Line) Finish() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.Terminal && l.drawn {
		fmt.Fprintln(l.w)
		l.drawn = false
	}
}

func (l *Line) text(done, total int64) string {
	pct := int64(100)
	if total > 0 {
		pct = done * 100 / total
	}
	return fmt.Sprintf("%s: %d of %d events (%d %%)", l.what, done, total, pct)
}
