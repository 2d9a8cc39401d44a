package web

import (
	"math"
	"testing"
	"time"
)

func TestChartJSONEncodesCategoriesTimesAndGaps(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   Chart
		want string
	}{
		{"categories with defaults", Chart{Title: "t", Labels: []string{"Jan", "Feb"}, Series: []Series{{Label: "kWh", Values: []float64{1.5, math.NaN()}}}},
			`{"kind":"line","labels":["Jan","Feb"],"series":[{"label":"kWh","values":[1.5,null]}],"height":240}`},
		// 2026-11-01 08:00 UTC is 01:00 PDT and 09:00 UTC is 01:00 PST (unix
		// seconds from GNU date -u -d "2026-11-01 08:00" +%s): the
		// repeated hour of the fall-back day stays two distinct instants.
		{"instants in unix seconds with the Pacific zone", Chart{Title: "t", Kind: ChartArea, Unit: "kW", Height: 300,
			Times:  []time.Time{time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC), time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)},
			Series: []Series{{Label: "a", Values: []float64{2, 3}}, {Label: "b", Values: []float64{math.Inf(1), -0.25}}}},
			`{"kind":"area","unit":"kW","x":[1793520000,1793523600],"tz":"America/Los_Angeles","series":[{"label":"a","values":[2,3]},{"label":"b","values":[null,-0.25]}],"height":300}`},
		{"empty chart", Chart{Title: "t"}, `{"kind":"line","series":[],"height":240}`},
	} {
		got, err := chartJSON(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("%s:\n got %s, %v\nwant %s", tc.name, got, err, tc.want)
		}
	}
}

func TestChartJSONRejectsSeriesOfTheWrongLength(t *testing.T) {
	_, err := chartJSON(Chart{Title: "t", Labels: []string{"a", "b"}, Series: []Series{{Label: "s", Values: []float64{1}}}})
	if err == nil {
		t.Error("a series shorter than the x axis was accepted")
	}
}
