package views

import (
	"strconv"
	"strings"
)

// Bar is one bar of a chart: its label on the axis ("Tue", and beneath it
// Sub, "1"), its value, and the value in words ("€61.50"), which screen
// readers and the bar's tooltip read.
type Bar struct {
	Label string
	Sub   string
	Value int64
	Words string
}

// BarChart is a bar chart drawn on the server as SVG, in the page's own
// colours (a class, no style attribute), readable without its picture: its
// title and description say every bar in words, and the table beside it
// holds the same numbers.
type BarChart struct {
	ID     string
	Title  string
	Desc   string
	Width  int
	Height int
	// Axis is where the bars stand.
	Axis int
	Bars []BarShape
}

// BarShape is a bar as drawn: its box, and where its labels go (a label
// left out when the bars are too many to label every one).
type BarShape struct {
	X, Y, W, H           int
	MidX                 int
	Label, Sub           string
	ShowLabel            bool
	Value                string
	ShowValue            bool
	ValueY, LabelY, SubY int
}

// Tip is the bar in words: "Tue 1: €61.50".
func (b BarShape) Tip() string { return strings.TrimSpace(b.Label+" "+b.Sub) + ": " + b.Value }

// The chart's drawing box, in its own units; the page scales it.
const (
	chartWidth   = 400
	chartHeight  = 180
	chartTop     = 18 // room for the values above the bars
	chartBottom  = 36 // room for the labels below them, in two lines
	chartSide    = 4
	chartLabels  = 9  // at most this many labels along the axis
	chartWordsAt = 10 // bars this few have their values written above them
	chartMaxSlot = 56 // the most room one bar takes
)

// NewBarChart lays bars out side by side, each as tall as its value against
// the largest; the description lists them all in words.
func NewBarChart(id, title string, bars []Bar) BarChart {
	c := BarChart{ID: id, Title: title, Width: chartWidth, Height: chartHeight, Axis: chartHeight - chartBottom}
	var top int64
	words := make([]string, len(bars))
	for i, b := range bars {
		top = max(top, b.Value)
		words[i] = strings.TrimSpace(b.Label+" "+b.Sub) + ": " + b.Words
	}
	c.Desc = title + ". " + strings.Join(words, "; ") + "."
	if len(bars) == 0 {
		c.Desc = title + ": nothing in this period."
		return c
	}
	// Few bars stay slim, side by side in the middle.
	slot := min((chartWidth-2*chartSide)/len(bars), chartMaxSlot)
	left := (chartWidth - slot*len(bars)) / 2
	every := (len(bars) + chartLabels - 1) / chartLabels
	room := c.Axis - chartTop
	for i, b := range bars {
		h := 0
		if top > 0 {
			h = int(b.Value * int64(room) / top)
		}
		if b.Value > 0 {
			h = max(h, 1) // a value is never drawn as nothing
		}
		w := max(slot*7/10, 1)
		x := left + i*slot + (slot-w)/2
		c.Bars = append(c.Bars, BarShape{X: x, Y: c.Axis - h, W: w, H: h, MidX: x + w/2,
			Label: b.Label, Sub: b.Sub, ShowLabel: i%every == 0, LabelY: c.Axis + 15, SubY: c.Axis + 31,
			Value: b.Words, ShowValue: len(bars) <= chartWordsAt && b.Value > 0, ValueY: c.Axis - h - 4})
	}
	return c
}

// ViewBox is the chart's drawing box, as SVG wants it.
func (c BarChart) ViewBox() string {
	return "0 0 " + strconv.Itoa(c.Width) + " " + strconv.Itoa(c.Height)
}
