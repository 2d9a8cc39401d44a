package solar

import (
	"math"
	"testing"
	"time"
)

// la is an array at 34.1° N, 118.6° W tilted 20° to the south.
var la = Site{Latitude: 34.1, Longitude: -118.6, Tilt: 20, Derate: 1}

// TestClearSkyFollowsTheSun: nothing at night; at noon on the June
// solstice more than on the December solstice (beam and 10% diffuse on a
// plane facing the high sun may pass 1,000 W/m² a little); morning and
// afternoon symmetric about solar noon. On 2026-03-20 (day 79) the
// equation of time is 9.87 sin 2B − 7.53 cos B − 1.5 sin B with
// B = 2π(79 − 81)/364, about −8.15 min, so solar noon at 118.6° W is
// 12:00 − 4 min × (118.6 − 120) + 8.15 min ≈ 12:02:30 PST, and 9:00 and
// 15:05 lie equally far from it.
func TestClearSkyFollowsTheSun(t *testing.T) {
	pst := time.FixedZone("PST", -8*3600)
	if w := ClearSky(time.Date(2026, 6, 21, 1, 0, 0, 0, pst), la); w != 0 {
		t.Errorf("1 am: %v W, want 0", w)
	}
	june := ClearSky(time.Date(2026, 6, 21, 12, 0, 0, 0, pst), la)
	dec := ClearSky(time.Date(2026, 12, 21, 12, 0, 0, 0, pst), la)
	if june <= dec || june > 1100 || dec <= 0 {
		t.Errorf("June noon %v W, December noon %v W; want 0 < December < June ≤ 1,100", june, dec)
	}
	am := ClearSky(time.Date(2026, 3, 20, 9, 0, 0, 0, pst), la)
	pm := ClearSky(time.Date(2026, 3, 20, 15, 5, 0, 0, pst), la)
	if math.Abs(am-pm)/am > 0.01 {
		t.Errorf("9:00 %v W and 15:05 %v W differ by more than 1%%", am, pm)
	}
}

// TestHourlySharesOfAYearSumToOne: the shares of every hour of a year
// add up to one, and a year has 8,760 hours (8,784 in a leap year).
func TestHourlySharesOfAYearSumToOne(t *testing.T) {
	for _, y := range []int{2026, 2028} {
		from := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
		to := time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC)
		sh := HourlyShare(from, to, y, time.UTC, la)
		var sum float64
		for _, s := range sh {
			sum += s
		}
		want := 8760
		if y == 2028 {
			want = 8784
		}
		if len(sh) != want || math.Abs(sum-1) > 1e-9 {
			t.Errorf("%d: %d hours summing to %v, want %d and 1", y, len(sh), sum, want)
		}
	}
}
