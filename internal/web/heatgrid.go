package web

import (
	"slices"
)

// HeatLevels is the number of colour steps of a heat grid (CSS classes
// heat-0, light, to heat-7, dark; static/app.css).
const HeatLevels = 8

// HeatGrid is a month × hour table for the "heatgrid" partial: a real
// <table> with a caption, month row headers and hour column headers, each
// cell coloured by Level and labelled in text, so that colour is never the
// only cue (WCAG 2.2 SC 1.4.1):
//
//	{{template "heatgrid" .Data.Weekday}}
type HeatGrid struct {
	ID      string // element id, for links and tests
	Caption string
	Rows    []HeatRow
}

// HeatRow is one month of a grid.
type HeatRow struct {
	Month string // "Jan"
	Cells []HeatCell
}

// HeatCell is one hour of one month. Text is shown; Label, when set, is
// what assistive technology reads (and the tooltip), for cells whose text
// is a code: "0" shown, "Summer On-Peak" read.
type HeatCell struct {
	Text  string
	Label string
	Level int // 0 … HeatLevels-1
}

// HeatKey is one entry of a grid's legend: a swatch with the cells' text,
// the name it stands for and a detail such as the price.
type HeatKey struct {
	Text   string
	Name   string
	Detail string
	Level  int
}

// monthAbbr names months in grids and pickers.
var monthAbbr = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// Hours lists the column headers 0–23 of a grid (hour beginning).
func (HeatGrid) Hours() []int {
	h := make([]int, 24)
	for i := range h {
		h[i] = i
	}
	return h
}

// heatLevels maps values to colour levels by rank: the distinct values in
// order are spread evenly over the HeatLevels steps, so that equal values
// share a colour, higher values are darker and a skewed range (export
// prices of $0.05 most hours and $3.00 in a few) still uses every step.
func heatLevels[T ~int64](values []T) map[T]int {
	distinct := slices.Clone(values)
	slices.Sort(distinct)
	distinct = slices.Compact(distinct)
	out := make(map[T]int, len(distinct))
	for i, v := range distinct {
		switch n := len(distinct); n {
		case 1:
			out[v] = HeatLevels / 2
		default:
			out[v] = i * (HeatLevels - 1) / (n - 1)
		}
	}
	return out
}
