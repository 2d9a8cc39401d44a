package web

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Chart kinds.
const (
	ChartLine = "line" // lines; the default
	ChartBars = "bars" // bars, one group per x value
	ChartArea = "area" // filled lines, for load profiles
)

// Chart describes a chart for the "chart" partial, which draws it with
// uPlot through static/chart.js; pages need no JavaScript:
//
//	{{template "chart" .Data.Usage}}
//
// The x axis is either categories (Labels, such as month names) or instants
// (Times, shown in America/Los_Angeles). Chart values are for looking at
// only: they are float64, so convert exact amounts (cents, Wh) to display
// units when building a chart and never read numbers back from one.
type Chart struct {
	Title  string      // accessible name and caption; required
	Kind   string      // ChartLine (default), ChartBars or ChartArea
	Unit   string      // unit of the y values, e.g. "kWh" or "$"
	XLabel string      // name of the x axis in the legend, e.g. "Month"; optional
	Labels []string    // category names of the x axis, when Times is empty
	Times  []time.Time // instants of the x axis
	Series []Series
	Height int // plot height in CSS pixels; 0 means 240
}

// Series is one named line or set of bars; len(Values) must equal the
// number of x values. NaN is a gap (no reading).
type Series struct {
	Label  string
	Values []float64
}

// chartJSON encodes c as the data-chart attribute that static/chart.js
// reads. html/template escapes the result for the attribute.
func chartJSON(c Chart) (string, error) {
	n := len(c.Labels)
	if len(c.Times) > 0 {
		n = len(c.Times)
	}
	for _, s := range c.Series {
		if len(s.Values) != n {
			return "", fmt.Errorf("chart %q: series %q has %d values for %d x values", c.Title, s.Label, len(s.Values), n)
		}
	}
	type series struct {
		Label  string          `json:"label"`
		Values json.RawMessage `json:"values"`
	}
	out := struct {
		Kind   string   `json:"kind"`
		Unit   string   `json:"unit,omitempty"`
		XLabel string   `json:"xLabel,omitempty"`
		Labels []string `json:"labels,omitempty"`
		X      []int64  `json:"x,omitempty"`
		TZ     string   `json:"tz,omitempty"`
		Series []series `json:"series"`
		Height int      `json:"height"`
	}{Kind: c.Kind, Unit: c.Unit, XLabel: c.XLabel, Height: c.Height, Series: []series{}}
	if out.Kind == "" {
		out.Kind = ChartLine
	}
	if out.Height <= 0 {
		out.Height = 240
	}
	if len(c.Times) > 0 {
		out.X = make([]int64, len(c.Times))
		for i, t := range c.Times {
			out.X[i] = t.Unix()
		}
		out.TZ = "America/Los_Angeles"
	} else {
		out.Labels = c.Labels
	}
	for _, s := range c.Series {
		out.Series = append(out.Series, series{Label: s.Label, Values: floatsJSON(s.Values)})
	}
	b, err := json.Marshal(out)
	return string(b), err
}

// floatsJSON writes a JSON array of numbers with NaN and infinities as null.
func floatsJSON(vs []float64) json.RawMessage {
	b := []byte{'['}
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			b = append(b, "null"...)
		} else {
			b = strconv.AppendFloat(b, v, 'g', -1, 64)
		}
	}
	return append(b, ']')
}
